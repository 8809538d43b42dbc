import { arg, defineModule, fn, z } from '@sloth/core';
import { postToWebhook } from './webhook.js';

const sendOptions = z
  .object({
    webhook: z.url({ protocol: /^https?$/, error: 'webhook must be an http(s) URL' }),
    text: z.string().optional(),
    blocks: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .strict()
  .refine((o) => o.text !== undefined || o.blocks !== undefined, 'give text, blocks or both');

/** The slack module: what this plugin adds to workflows (a global `slack`, and require("slack")). */
export const slackModule = defineModule({
  name: 'slack',
  // Goroutine threads import the module from this file.
  importFrom: import.meta.url,
  doc: 'Posts messages to Slack incoming webhooks (from the sloth-plugin-slack plugin).',
  functions: {
    send: fn({
      doc: 'Posts a message (text and/or Block Kit blocks) to an incoming webhook; fails unless Slack answers 2xx.',
      args: [arg('opts', sendOptions, '{ webhook, text?, blocks? }')],
      returns: 'table {status}',
      examples: ['slack.send({ webhook = values.slack_webhook, text = "deployed " .. values.version })'],
      run: async ([opts], ctx) => {
        const status = await postToWebhook(opts.webhook, { text: opts.text, blocks: opts.blocks }, ctx.signal);
        ctx.log.log('info', `slack: message posted (HTTP ${status})`);
        return { status };
      },
    }),
  },
});
