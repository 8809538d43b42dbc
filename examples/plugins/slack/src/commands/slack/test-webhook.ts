import { Args, Command, Flags } from '@oclif/core';
import { postToWebhook } from '../../webhook.js';

/** `sloth-runner slack test-webhook URL`: the command this plugin adds. */
export default class SlackTestWebhook extends Command {
  static override summary = 'Post a test message to a Slack incoming webhook.';
  static override args = { url: Args.string({ description: 'The incoming webhook URL.', required: true }) };
  static override flags = {
    text: Flags.string({ description: 'The message.', default: 'Test message from sloth-runner' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SlackTestWebhook);
    try {
      const status = await postToWebhook(args.url, { text: flags.text });
      this.log(`the webhook answered HTTP ${status}`);
    } catch (err) {
      this.error((err as Error).message, { exit: 1 });
    }
  }
}
