import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '@sloth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from './http-get.js';

let server: Server;
let base: string;
/** Requests the server holds without an answer, answered once the tests are done. */
const held: Array<() => void> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/ok') return void res.end('hello from the server');
    if (url.pathname === '/missing') return void res.writeHead(404).end('no');
    if (url.pathname === '/relative') return void res.writeHead(302, { location: '/ok' }).end();
    if (url.pathname === '/absolute') return void res.writeHead(301, { location: `${base}/relative` }).end();
    if (url.pathname === '/loop') return void res.writeHead(307, { location: '/loop' }).end();
    if (url.pathname === '/ftp') return void res.writeHead(302, { location: 'ftp://example.org/' }).end();
    if (url.pathname === '/never') return void held.push(() => res.end());
    if (url.pathname === '/huge') {
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      for (let i = 0; i < 20; i++) res.write(chunk);
      return void res.end();
    }
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const end of held) end();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const timeout = () => AbortSignal.timeout(10_000);

describe('httpGet (a real server on 127.0.0.1)', () => {
  it('answers the status and the body', async () => {
    expect(await httpGet(`${base}/ok`, timeout())).toEqual({ status: 200, body: 'hello from the server' });
    expect((await httpGet(`${base}/missing`, timeout())).status).toBe(404);
  });

  it('follows relative and absolute redirects', async () => {
    expect(await httpGet(`${base}/absolute`, timeout())).toEqual({ status: 200, body: 'hello from the server' });
  });

  it('refuses a redirect loop and a redirect to another scheme', async () => {
    await expect(httpGet(`${base}/loop`, timeout())).rejects.toMatchObject({ code: 'TOO_MANY_REDIRECTS' });
    await expect(httpGet(`${base}/ftp`, timeout())).rejects.toMatchObject({ code: 'BAD_REDIRECT' });
  });

  it('stops at its signal when the server never answers', async () => {
    const signal = AbortSignal.timeout(200);
    await expect(httpGet(`${base}/never`, signal)).rejects.toThrow();
    expect(signal.aborted).toBe(true);
  });

  it('keeps the first 16 MiB of a larger body', async () => {
    const r = await httpGet(`${base}/huge`, timeout());
    expect(r.body.length).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    expect(r.body.length).toBeLessThan(20 * 1024 * 1024);
  });

  it('rejects with the socket error code when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(httpGet(`http://127.0.0.1:${port}/`, timeout())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('speaks https, and refuses a certificate the trust store does not know', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sloth-http-get-'));
    try {
      const tls = createHttpsServer(selfSignedCertificate(dir), (_, res) => res.end('secure'));
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', () => resolve()));
      try {
        const port = (tls.address() as AddressInfo).port;
        await expect(httpGet(`https://127.0.0.1:${port}/`, timeout())).rejects.toMatchObject({
          code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        });
      } finally {
        tls.closeAllConnections();
        await new Promise((resolve) => tls.close(resolve));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
