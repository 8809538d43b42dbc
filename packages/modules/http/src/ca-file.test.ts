import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { call, failure, selfSignedCertificate, testContext, writeFiles } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { httpModule } from './http-module.js';

describe('https with ca_file', () => {
  it('refuses a server its trust store does not know (not retried), and trusts it with ca_file', async () => {
    const dir = writeFiles({});
    const server = createServer(selfSignedCertificate(dir), (_req, res) => res.end('secure'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const { ctx, lines } = testContext({ workdir: dir });
      const err = await failure(call(httpModule, 'get', [url, { retries: 3, retry_delay: '1ms' }], ctx));
      expect(err.message).toMatch(/^http\.get: cannot reach 127\.0\.0\.1:\d+ \(GET https:.*\): TLS: self[- ]signed certificate/);
      expect(err.hint).toContain('ca_file');
      expect(lines).toEqual([]);
      const r = (await call(httpModule, 'get', [url, { ca_file: 'ca.pem' }], ctx)) as Record<string, unknown>;
      expect([r.status_code, r.body]).toEqual([200, 'secure']);
      const missing = await failure(call(httpModule, 'get', [url, { ca_file: 'nope.pem' }], ctx));
      expect(missing.message).toContain(`http.get: cannot read ca_file '${join(dir, 'nope.pem')}'`);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
