import { call, failure, testContext, waitFor } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { httpModule, netModule } from './http-module.js';
import { closedPort, sendJson, useTestServers } from './test-server.test-helper.js';

type Result = Record<string, unknown> & { headers: Record<string, string>; json: Record<string, unknown> };

const server = useTestServers();

/** A server that answers every request with what it received, as JSON. */
const echo = () =>
  server((req, res) => sendJson(res, 200, { method: req.method, url: req.url, headers: req.headers, body: req.body }));

const get = (args: unknown[], ctx = testContext().ctx) => call(httpModule, 'get', args, ctx) as Promise<Result>;

describe('http requests against a real server on 127.0.0.1', () => {
  it('sends JSON and decodes a JSON answer; the result has status, headers, time and url', async () => {
    const s = await echo();
    const r = (await call(
      httpModule,
      'post',
      [`${s.url}/items`, { json: { name: 'x', tags: ['a'] } }],
      testContext().ctx,
    )) as Result;
    expect(r).toMatchObject({ success: true, status_code: 200, status: '200 OK', url: `${s.url}/items` });
    expect(r.headers['content-type']).toBe('application/json');
    expect(typeof r.time_ms).toBe('number');
    expect(r.json).toMatchObject({ method: 'POST', body: '{"name":"x","tags":["a"]}' });
    expect((r.json.headers as Record<string, string>)['content-type']).toBe('application/json');
    expect(JSON.parse(r.body as string).url).toBe('/items');
  });

  it('sends a plain table as the JSON body (net.post(url, { text = ... })); a text body with its headers as given', async () => {
    const s = await echo();
    const r = (await call(netModule, 'post', [s.url, { text: 'deployed' }], testContext().ctx)) as Result;
    expect(r.json.body).toBe('{"text":"deployed"}');
    const list = (await call(httpModule, 'put', [s.url, [1, 2]], testContext().ctx)) as Result;
    expect(list.json.body).toBe('[1,2]');
    const raw = (await call(
      httpModule,
      'post',
      [s.url, { body: '{"a":1}', headers: { 'Content-Type': 'application/json', 'X-Count': 3 } }],
      testContext().ctx,
    )) as Result;
    expect(raw.json).toMatchObject({ body: '{"a":1}', headers: { 'content-type': 'application/json', 'x-count': '3' } });
  });

  it('refuses a table that mixes option names with other keys, naming the rule', async () => {
    const err = await failure(call(httpModule, 'post', ['http://127.0.0.1:1/', { json: {}, timout: 5 }], testContext().ctx));
    expect(err.message).toContain("http.post: argument #2 (opts): unknown option 'timout' (did you mean 'timeout'?)");
    expect(err.message).toContain('a table without any of them is sent as the JSON body');
  });

  it('adds query parameters; a non-2xx answer is a result with success = false, not an error', async () => {
    const s = await server((req, res) => sendJson(res, 404, { missing: req.url }));
    const r = await get([`${s.url}/x?a=1`, { query: { b: 'two words', n: 2 } }]);
    expect(r).toMatchObject({ success: false, status_code: 404, status: '404 Not Found' });
    expect(r.json).toEqual({ missing: '/x?a=1&b=two+words&n=2' });
  });

  it('retries a server that fails twice, then answers (backoff, a warning per retry)', async () => {
    const s = await server((_req, res, n) => (n <= 2 ? sendJson(res, 503, { n }) : sendJson(res, 200, { n })));
    const { ctx, lines } = testContext();
    const r = await get([s.url, { retries: 3, retry_delay: '10ms' }], ctx);
    expect(r).toMatchObject({ success: true, json: { n: 3 } });
    expect(s.received).toHaveLength(3);
    expect(lines.map((l) => l.message)).toEqual([
      expect.stringMatching(new RegExp(`^http\\.get: GET ${s.url}/ answered 503 Service Unavailable; retry 1 of 3 in \\d+ms$`)),
      expect.stringMatching(/^http\.get: GET .* answered 503 Service Unavailable; retry 2 of 3 in \d+ms$/),
    ]);
  });

  it('returns the last answer when retries run out on 5xx, and does not retry a 4xx', async () => {
    const s = await server((_req, res) => sendJson(res, 500, {}));
    expect((await get([s.url, { retries: 1, retry_delay: '1ms' }])).status_code).toBe(500);
    expect(s.received).toHaveLength(2);
    const t = await server((_req, res) => sendJson(res, 400, {}));
    expect((await get([t.url, { retries: 3, retry_delay: '1ms' }])).status_code).toBe(400);
    expect(t.received).toHaveLength(1);
  });

  it('says which host refused the connection, after the retries', async () => {
    const port = await closedPort();
    const err = await failure(get([`http://127.0.0.1:${port}/health`, { retries: 1, retry_delay: '1ms' }]));
    expect(err.code).toBe('unavailable');
    expect(err.message).toBe(
      `http.get: cannot reach 127.0.0.1:${port} (GET http://127.0.0.1:${port}/health): connection refused (nothing listens on that port) (after 2 attempts)`,
    );
    expect(err.hint).toContain('check the host and port');
  });

  it('times out on a server that never answers, within the limit, and says so', async () => {
    const s = await server(() => {});
    const err = await failure(get([s.url, { timeout: '200ms' }]));
    expect(err.code).toBe('timeout');
    expect(err.message).toBe(`http.get: GET ${s.url}/: no answer from 127.0.0.1:${s.port}: timed out after 200ms`);
    expect(err.hint).toContain('timeout = "60s"');
  });

  it("stops a request when the task's signal fires (Ctrl-C, the task's timeout)", async () => {
    const s = await server(() => {});
    const controller = new AbortController();
    const pending = get([s.url], testContext({ signal: controller.signal }).ctx);
    await waitFor(() => s.received.length === 1, 10_000, 'the request to arrive');
    controller.abort({ kind: 'timeout', timeoutMs: 1500 });
    const err = await failure(pending);
    expect([err.code, err.message]).toEqual(['timeout', 'timed out after 1500ms']);
  });

  it('follows redirects (the url is where it ended), or shows them with follow_redirects = false', async () => {
    const s = await server((req, res) => {
      if (req.url === '/old') {
        res.writeHead(302, { location: '/new' });
        res.end();
      } else sendJson(res, 200, { at: req.url });
    });
    const followed = await get([`${s.url}/old`]);
    expect(followed).toMatchObject({ status_code: 200, url: `${s.url}/new`, json: { at: '/new' } });
    const shown = await get([`${s.url}/old`, { follow_redirects: false }]);
    expect(shown).toMatchObject({ status_code: 302, success: false });
    expect(shown.headers.location).toBe('/new');
  });

  it('sends basic auth (from basic_auth or user:password@ in the URL) and bearer tokens, never showing them', async () => {
    const s = await echo();
    const auth = async (url: string, opts: unknown) =>
      ((await get(opts === undefined ? [url] : [url, opts])).json.headers as Record<string, string>).authorization;
    const basic = `Basic ${Buffer.from('deploy:p@ss word').toString('base64')}`;
    expect(await auth(s.url, { basic_auth: { user: 'deploy', password: 'p@ss word' } })).toBe(basic);
    expect(await auth(s.url, { basic_auth: ['deploy', 'p@ss word'] })).toBe(basic);
    const withCredentials = s.url.replace('://', '://deploy:p%40ss%20word@');
    expect(await auth(withCredentials, undefined)).toBe(basic);
    expect(await auth(s.url, { bearer: 'tok-123' })).toBe('Bearer tok-123');
    const r = await get([`${withCredentials}/x`]);
    expect(r.url).toBe(`${s.url}/x`);
    const port = await closedPort();
    const err = await failure(get([`http://deploy:hunter2@127.0.0.1:${port}/`]));
    expect(err.message).not.toContain('hunter2');
    const bad = await failure(get(['http://deploy:hunter2@exa mple.com/']));
    expect(bad.message).toBe('http.get: invalid URL "http://deploy:***@exa mple.com/"');
    const at = await failure(get(['http://deploy:hun@ter2@exa mple.com/x@y']));
    expect(at.message).toBe('http.get: invalid URL "http://deploy:***@exa mple.com/x@y"');
  });

  it('refuses an answer larger than 64 MiB, pointing at http.download', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-length': String(70 * 1024 * 1024) });
      res.write('x');
    });
    const err = await failure(get([s.url]));
    expect(err.message).toBe(`http.get: GET ${s.url}/: the answer is larger than 64 MiB`);
    expect(err.hint).toContain('http.download');
  });

  it('says when fetch refuses a port (not retried)', async () => {
    const err = await failure(get(['http://127.0.0.1:1/', { retries: 2, retry_delay: '1ms' }]));
    expect(err.message).toBe(
      'http.get: cannot reach 127.0.0.1:1 (GET http://127.0.0.1:1/): fetch refuses this port (one the Fetch standard blocks: 1, 25, 6000, ...)',
    );
  });

  it('refuses malformed URLs, other schemes and a non-table opts with the usage', async () => {
    const invalid = await failure(get(['not a url']));
    expect([invalid.code, invalid.message]).toEqual(['invalid_argument', 'http.get: invalid URL "not a url"']);
    expect(invalid.hint).toContain('https://example.com/health');
    expect((await failure(get(['ftp://example.com/f']))).message).toContain('unsupported URL scheme "ftp:"');
    const opts = await failure(get(['http://127.0.0.1:1/', '5s']));
    expect(opts.message).toBe('http.get: argument #2 (opts): expected table, got string');
    expect(opts.hint).toBe('usage: http.get(url, opts?)');
    const postOpts = await failure(call(httpModule, 'post', ['http://127.0.0.1:1/', 5], testContext().ctx));
    expect(postOpts.message).toBe('http.post: argument #2 (opts): expected table, got number');
    const timeout = await failure(get(['http://127.0.0.1:1/', { timeout: 'soon' }]));
    expect(timeout.message).toBe(
      'http.get: argument #2 (opts) field \'timeout\': invalid duration "soon" (use a number of seconds or units like "300ms", "30s", "5m", "1h30m")',
    );
    expect((await failure(get(['http://127.0.0.1:1/', { body: 'x' }]))).message).toBe('http.get: a GET request has no body');
  });

  it('http.request takes one table; a method it does not know is refused', async () => {
    const s = await echo();
    const r = (await call(
      httpModule,
      'request',
      [{ method: 'delete', url: `${s.url}/7`, bearer: 't' }],
      testContext().ctx,
    )) as Result;
    expect(r.json).toMatchObject({ method: 'DELETE', url: '/7' });
    const head = (await call(httpModule, 'head', [s.url], testContext().ctx)) as Result;
    expect([head.status_code, head.body]).toEqual([200, '']);
    const err = await failure(call(httpModule, 'request', [{ url: s.url, method: 'GET /' }], testContext().ctx));
    expect(err.message).toContain("field 'method': expected an HTTP method");
  });
});
