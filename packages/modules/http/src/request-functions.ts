import { arg, fn, type ModuleCallContext, SlothError, z } from '@sloth/core';
import { decodeJson } from '@sloth/module-data';
import { type Exchange, prepareExchange, send } from './exchange.js';
import { bodyOrOptionsArg, optionsTable, type RequestOptions, requestOptions, requestShape } from './options.js';

/** What every request returns to Lua. */
export interface HttpResult {
  success: boolean;
  status_code: number;
  status: string;
  headers: Record<string, string>;
  body: string;
  json: unknown;
  time_ms: number;
  url: string;
}

export const RESULT =
  'table: success (2xx), status_code, status ("200 OK"), headers (lower-case names), body (text), json (decoded when the answer is JSON, else nil), time_ms, url (after redirects)';

const OPTIONS_DOC =
  'opts: headers, query (a table added to the URL), body (text) or json (a table, sent as JSON), timeout (default "30s"; a number is seconds), retries (0-10; on connection errors, timeouts, 429 and 5xx, with exponential backoff from retry_delay, default "500ms", or the Retry-After header), basic_auth = { user = ..., password = ... } (or user:password@ in the URL), bearer (a token), follow_redirects (default true), ca_file (a PEM file of CAs to trust instead of the system\'s).';

const FAILURES =
  'A network failure (refused, unknown host, TLS, timeout) raises an error naming the host and the reason; an answer with any status does not (check success). Credentials never appear in messages.';

/** The most of an answer's body a request keeps in memory (files go through http.download, streamed to disk). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The body as text, refused past MAX_BODY_BYTES (declared or counted) so an endless answer cannot fill the memory. */
async function readBody(ctx: ModuleCallContext, exchange: Exchange, response: Response): Promise<string> {
  const tooLarge = () =>
    new SlothError('task_failed', `${ctx.fn}: ${exchange.method} ${exchange.target.shown}: the answer is larger than 64 MiB`, {
      hint: 'fetch large files with http.download(url, dest), which streams them to disk',
    });
  if (Number(response.headers.get('content-length')) > MAX_BODY_BYTES) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends one exchange and reads the whole answer. */
async function exchangeResult(ctx: ModuleCallContext, exchange: Exchange): Promise<HttpResult> {
  return send(ctx, exchange, async (response, started) => {
    const body = await readBody(ctx, exchange, response);
    const type = response.headers.get('content-type') ?? '';
    let json: unknown;
    if (/[/+]json\b/i.test(type) && body.trim() !== '') {
      try {
        json = decodeJson(body, ctx.fn);
      } catch {
        // Not JSON after all: the text is in body.
      }
    }
    return {
      success: response.status >= 200 && response.status < 300,
      status_code: response.status,
      status: `${response.status} ${response.statusText}`.trim(),
      headers: Object.fromEntries(response.headers),
      body,
      json,
      time_ms: Math.round(performance.now() - started),
      url: response.url || exchange.target.shown,
    };
  });
}

/** http.get, http.head, http.delete: a URL and options. */
export function plainMethod(method: string, example: string) {
  return fn({
    doc: `Sends a ${method} request. ${OPTIONS_DOC} ${FAILURES}`,
    args: [arg('url', z.string(), 'an http:// or https:// URL'), arg('opts', requestOptions.optional(), OPTIONS_DOC)],
    returns: RESULT,
    examples: [example],
    run: ([url, opts], ctx) => exchangeResult(ctx, prepareExchange(ctx.fn, method, url, opts)),
  });
}

/** http.post, http.put, http.patch: a table of options, or a table without option names sent as the JSON body. */
export function bodyMethod(method: string, example: string) {
  return fn({
    doc: `Sends a ${method} request. The second argument is the options, or a table with none of the option names, which is sent as the JSON body (net.post(url, { text = "hi" })). ${OPTIONS_DOC} ${FAILURES}`,
    args: [arg('url', z.string(), 'an http:// or https:// URL'), arg('opts', bodyOrOptionsArg, OPTIONS_DOC)],
    returns: RESULT,
    examples: [example],
    run: ([url, opts], ctx) => exchangeResult(ctx, prepareExchange(ctx.fn, method, url, opts as RequestOptions)),
  });
}

const METHOD = z
  .string()
  .regex(/^[A-Za-z]+$/, 'expected an HTTP method like "GET" or "POST"')
  .transform((m) => m.toUpperCase());

const requestSpec = optionsTable({ ...requestShape, method: METHOD.optional(), url: z.string() });

/** http.request({ method, url, ... }). */
export const request = fn({
  doc: `Sends a request described by one table: method (default "GET"), url and the options of http.get. ${FAILURES}`,
  args: [arg('spec', requestSpec, '{ method = "PUT", url = "...", json = {...} }')],
  returns: RESULT,
  examples: ['local r = http.request({ method = "PUT", url = "http://127.0.0.1:8500/v1/kv/app", body = "on" })'],
  run: ([spec], ctx) => {
    const { method, url, ...opts } = spec;
    if (method === 'CONNECT' || method === 'TRACE') {
      throw new SlothError('invalid_argument', `${ctx.fn}: method ${method} is not supported`);
    }
    return exchangeResult(ctx, prepareExchange(ctx.fn, method ?? 'GET', url, opts));
  },
});
