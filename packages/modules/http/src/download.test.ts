import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, failure, testContext, writeFiles } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { httpModule } from './http-module.js';
import { useTestServers } from './test-server.test-helper.js';

const server = useTestServers();

const CONTENT = 'tool v1.2\n'.repeat(10_000);
const SHA = createHash('sha256').update(CONTENT).digest('hex');

/** A server for /tool (in chunks), /missing (404), and a count of downloads. */
async function fileServer() {
  const s = await server((req, res) => {
    if (req.url !== '/tool') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    for (let i = 0; i < CONTENT.length; i += 16_384) res.write(CONTENT.slice(i, i + 16_384));
    res.end();
  });
  return s;
}

type Change = Record<string, unknown> & { changes: Record<string, { old: unknown; new: unknown }> };

const download = (args: unknown[], ctx = testContext().ctx) => call(httpModule, 'download', args, ctx) as Promise<Change>;

describe('http.download', () => {
  it('streams a file to dest with its mode, then skips it while it has the checksum', async () => {
    const s = await fileServer();
    const dir = writeFiles({});
    const { ctx, resources } = testContext({ workdir: dir });
    const first = await download([`${s.url}/tool`, 'bin/tool', { sha256: SHA.toUpperCase(), mode: '0750' }], ctx);
    expect(first).toMatchObject({ changed: true, dest: join(dir, 'bin/tool'), sha256: SHA });
    expect(first.changes).toEqual({ content: { old: undefined, new: `sha256:${SHA}` }, mode: { old: undefined, new: '0750' } });
    expect(readFileSync(join(dir, 'bin/tool'), 'utf8')).toBe(CONTENT);
    expect(statSync(join(dir, 'bin/tool')).mode & 0o777).toBe(0o750);
    const again = await download([`${s.url}/tool`, 'bin/tool', { sha256: `sha256:${SHA}`, mode: '0750' }], ctx);
    expect([again.changed, s.received.length]).toEqual([false, 1]);
    expect(resources.map((r) => [r.type, r.changed])).toEqual([
      ['file', true],
      ['file', false],
    ]);
  });

  it('without sha256, downloads a missing file and keeps an existing one; a mode change is a chmod only', async () => {
    const s = await fileServer();
    const dir = writeFiles({ kept: 'mine' });
    const { ctx } = testContext({ workdir: dir });
    const fresh = await download([`${s.url}/tool`, 'tool'], ctx);
    expect(fresh).toMatchObject({ changed: true, sha256: SHA });
    expect(fresh.changes.content?.new).toBe(`download of ${s.url}/tool`);
    const kept = await download([`${s.url}/tool`, 'kept', { mode: 0o600 }], ctx);
    expect(kept.changes).toEqual({ mode: { old: '0644', new: '0600' } });
    expect(readFileSync(join(dir, 'kept'), 'utf8')).toBe('mine');
    expect(s.received).toHaveLength(1);
  });

  it('leaves dest as it was when the download does not match its sha256, or the server says 404', async () => {
    const s = await fileServer();
    const dir = writeFiles({ tool: 'old' });
    const { ctx } = testContext({ workdir: dir });
    const wrong = 'a'.repeat(64);
    const err = await failure(download([`${s.url}/tool`, 'tool', { sha256: wrong }], ctx));
    expect(err.message).toBe(`http.download: ${s.url}/tool has sha256 ${SHA}, expected ${wrong}`);
    const missing = await failure(download([`${s.url}/missing`, 'tool', { sha256: SHA }], ctx));
    expect([missing.code, missing.message]).toEqual(['not_found', `http.download: ${s.url}/missing answered 404 Not Found`]);
    expect(readFileSync(join(dir, 'tool'), 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['tool']);
  });

  it('in check mode reports the change and fetches and writes nothing', async () => {
    const s = await fileServer();
    const dir = writeFiles({});
    writeFileSync(join(dir, 'stale'), 'stale');
    const { ctx } = testContext({ workdir: dir, checkMode: true });
    const r = await download([`${s.url}/tool`, 'stale', { sha256: SHA }], ctx);
    expect(r).toMatchObject({ changed: true, check_mode: true });
    expect(s.received).toHaveLength(0);
    expect(readFileSync(join(dir, 'stale'), 'utf8')).toBe('stale');
  });

  it('refuses a sha256 that is not 64 hex digits', async () => {
    const err = await failure(download(['http://127.0.0.1:1/x', 'x', { sha256: 'abc' }]));
    expect(err.message).toBe(
      'http.download: argument #3 (opts) field \'sha256\': expected 64 hex digits (optionally "sha256:...")',
    );
  });
});
