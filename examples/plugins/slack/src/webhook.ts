/** What Slack's incoming webhooks take: a text, and optionally Block Kit blocks. */
export interface SlackMessage {
  text?: string | undefined;
  blocks?: Record<string, unknown>[] | undefined;
}

/**
 * Posts a message to an incoming webhook; throws naming the webhook's host (never its URL, which is the secret) and
 * Slack's answer when it is not 2xx.
 */
export async function postToWebhook(webhook: string, message: SlackMessage, signal?: AbortSignal): Promise<number> {
  const host = new URL(webhook).host;
  let res: Response;
  try {
    res = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(30_000)]) : AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new Error(`the Slack webhook at ${host} cannot be reached: ${(err as Error).message}`);
  }
  const body = (await res.text()).slice(0, 200);
  if (!res.ok) throw new Error(`the Slack webhook at ${host} answered HTTP ${res.status}${body ? `: ${body}` : ''}`);
  return res.status;
}
