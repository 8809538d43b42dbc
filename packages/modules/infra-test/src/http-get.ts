import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** As many redirects as fetch follows. */
const MAX_REDIRECTS = 20;
/** A body past this is not read further: a check compares a status or looks for a text, not for a download. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** What a GET answered: the final status and body, after redirects. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * A GET of `url` with redirects followed, through Node's own http/https client. Not fetch: a check's first fetch
 * loads undici and compiles its HTTP parser, which costs a one-shot `infra_test` run more than all its other checks.
 * Rejects with the socket's error (its `code`, e.g. ECONNREFUSED) or the signal's reason.
 */
export async function httpGet(url: string, signal: AbortSignal): Promise<HttpAnswer> {
  let at = new URL(url);
  for (let hop = 0; ; hop++) {
    const res = await send(at, signal);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || location === undefined)
      return { status: res.statusCode ?? 0, body: await bodyOf(res) };
    res.resume();
    if (hop === MAX_REDIRECTS)
      throw Object.assign(new Error(`more than ${MAX_REDIRECTS} redirects`), { code: 'TOO_MANY_REDIRECTS' });
    const next = new URL(location, at);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw Object.assign(new Error(`redirected to ${next.protocol} URL ${next.href}`), { code: 'BAD_REDIRECT' });
    }
    at = next;
  }
}

function send(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(url, { method: 'GET', signal }, resolve);
    req.once('error', reject);
    req.end();
  });
}

function bodyOf(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    res.on('data', (chunk: Buffer) => {
      if (size >= MAX_BODY_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_BODY_BYTES) {
        res.destroy();
        done();
      }
    });
    res.once('end', done);
    res.once('error', reject);
  });
}
