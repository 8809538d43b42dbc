import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, failure, testContext } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { maskCredentials } from './credentials.js';
import { bareRepo, GIT_IDENTITY, pushCommit, sh } from './git.test-helper.js';
import { gitModule } from './git-module.js';

type Result = Record<string, unknown> & { changed: boolean; changes: Record<string, { old: unknown; new: unknown }> };

function context(checkMode = false) {
  const t = testContext({ checkMode });
  Object.assign(t.ctx, { env: { ...t.ctx.env, ...GIT_IDENTITY } });
  return t;
}
const git = async (fn: string, args: unknown[], checkMode = false) =>
  (await call(gitModule, fn, args, context(checkMode).ctx)) as Result;
const dest = () => join(mkdtempSync(join(tmpdir(), 'sloth-clone-')), 'app');

describe('git.clone (real git, local bare repository)', () => {
  it('clones, then a second clone of the same URL changes nothing; a new upstream commit moves HEAD', async () => {
    const r = bareRepo();
    const path = dest();
    const first = await git('clone', [r.url, path]);
    expect(first).toMatchObject({ changed: true, path, commit: r.main, branch: 'main', url: r.url });
    expect(readFileSync(join(path, 'README'), 'utf8')).toBe('v1\n');

    const again = await git('clone', [r.url, path]);
    expect(again).toMatchObject({ changed: false, changes: {}, commit: r.main });

    const next = pushCommit(r.work, 'README', 'v2\n');
    const check = await git('clone', [r.url, path], true);
    expect(check).toMatchObject({ changed: true, check_mode: true, changes: { commit: { old: r.main, new: next } } });
    expect(readFileSync(join(path, 'README'), 'utf8')).toBe('v1\n');
    expect(sh(path, 'rev-parse', 'origin/main')).toBe(r.main); // check mode fetched nothing

    const moved = await git('clone', [r.url, path]);
    expect(moved).toMatchObject({ changed: true, commit: next });
    expect(readFileSync(join(path, 'README'), 'utf8')).toBe('v2\n');
  });

  it('clones a branch or a tag, shallow; in check mode nothing is written', async () => {
    const r = bareRepo();
    const prod = dest();
    expect(await git('clone', [r.url, prod, { branch: 'production', depth: 1 }])).toMatchObject({
      changed: true,
      branch: 'production',
      commit: r.production,
    });
    expect(sh(prod, 'rev-list', '--count', 'HEAD')).toBe('1');
    const tagged = dest();
    expect(await git('clone', [r.url, tagged, { branch: 'v1' }])).toMatchObject({
      changed: true,
      commit: r.main,
      branch: undefined,
    });
    const never = dest();
    expect(await git('clone', [r.url, never], true)).toMatchObject({ changed: true, changes: { commit: { new: r.main } } });
    expect(existsSync(never)).toBe(false);
  });

  it('refuses a directory that is not a clone, a clone of another URL, an unknown branch, a missing repository', async () => {
    const r = bareRepo();
    const busy = mkdtempSync(join(tmpdir(), 'sloth-busy-'));
    writeFileSync(join(busy, 'x'), 'x');
    expect((await failure(git('clone', [r.url, busy]))).message).toMatch(/exists and is not a git clone/);
    const other = bareRepo();
    const path = dest();
    await git('clone', [r.url, path]);
    expect((await failure(git('clone', [other.url, path]))).message).toMatch(/is a clone of file:\/\/.*, not of/);
    expect((await failure(git('clone', [r.url, dest(), { branch: 'nope' }]))).message).toMatch(/has no branch or tag 'nope'/);
    const missing = await failure(git('clone', ['file:///nonexistent/repo.git', dest()]));
    expect(missing.message).toMatch(/git\.clone: git ls-remote file:\/\/\/nonexistent\/repo\.git .* failed/);
  });

  it('a server asking for credentials fails at once with a hint (prompts off), never hangs', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const err = await failure(git('clone', [`http://127.0.0.1:${port}/repo.git`, dest()]));
      expect(err.message).toMatch(/terminal prompts disabled|could not read Username/);
      expect(err.hint).toMatch(/prompts are off: give key_file/);
    } finally {
      server.close();
    }
  });

  it('credentials in a URL are masked in errors', async () => {
    // A port nothing listens on: git fails to connect, and its message names the URL.
    const err = await failure(git('clone', ['http://user:s3cret-token@127.0.0.1:9/repo.git', dest()]));
    expect(err.message).not.toContain('s3cret-token');
    expect(err.message).toContain('http://***@127.0.0.1:9/repo.git');
    expect(maskCredentials('see https://a:b@h/x and ssh://git@h/y')).toBe('see https://***@h/x and ssh://***@h/y');
  });
});

describe('git.checkout, pull, fetch, commit, tag, push, status (real git)', () => {
  it('checks out a remote branch and a tag; a second checkout changes nothing', async () => {
    const r = bareRepo();
    const path = dest();
    const repo = await git('clone', [r.url, path]);
    const check = await git('checkout', [repo, 'production'], true);
    expect(check).toMatchObject({ changed: true, changes: { branch: { old: 'main', new: 'production' } }, branch: 'main' });
    expect(await git('checkout', [repo, 'production'])).toMatchObject({
      changed: true,
      branch: 'production',
      commit: r.production,
    });
    expect(existsSync(join(path, 'prod.conf'))).toBe(true);
    expect(await git('checkout', [repo, 'production'])).toMatchObject({ changed: false });
    expect(await git('checkout', [path, 'v1'])).toMatchObject({ changed: true, branch: undefined, commit: r.main });
    expect((await failure(git('checkout', [path, 'nope']))).message).toMatch(/no branch, tag or commit 'nope'/);
  });

  it('fetch and pull report whether anything moved; check mode fetches nothing', async () => {
    const r = bareRepo();
    const path = dest();
    await git('clone', [r.url, path]);
    expect(await git('fetch', [path])).toMatchObject({ changed: false });
    expect(await git('pull', [path])).toMatchObject({ changed: false });
    const next = pushCommit(r.work, 'README', 'v3\n');
    expect((await git('fetch', [path], true)).changes).toEqual({ 'refs/remotes/origin/main': { old: r.main, new: next } });
    expect(await git('pull', [path], true)).toMatchObject({ changed: true, commit: r.main });
    expect(sh(path, 'rev-parse', 'origin/main')).toBe(r.main);
    expect(await git('pull', [path])).toMatchObject({ changed: true, commit: next });
    expect(await git('pull', [path])).toMatchObject({ changed: false });
  });

  it('commit, tag and push: each acts once, then reports changed = false', async () => {
    const r = bareRepo();
    const path = dest();
    const repo = await git('clone', [r.url, path]);
    expect(await git('commit', [repo, 'nothing to do', { all: true }])).toMatchObject({ changed: false, commit: r.main });
    writeFileSync(join(path, 'README'), 'edited\n');
    expect(await git('commit', [repo, 'edit', { all: true }], true)).toMatchObject({ changed: true, commit: r.main });
    const made = await git('commit', [repo, 'edit', { all: true, author: 'Ann <ann@example.org>' }]);
    expect(made).toMatchObject({ changed: true, changes: { files: { new: ['README'] } } });
    expect(sh(path, 'log', '-1', '--format=%an %s')).toBe('Ann edit');

    expect(await git('tag', [repo, 'v2', { message: 'release 2' }])).toMatchObject({ changed: true, commit: made.commit });
    expect(await git('tag', [repo, 'v2'])).toMatchObject({ changed: false });
    expect((await failure(git('tag', [repo, 'v1']))).message).toMatch(/tag 'v1' already points at/);

    expect(await git('push', [repo, { tags: true }], true)).toMatchObject({ changed: true });
    expect(sh(r.bare, 'rev-parse', 'main')).toBe(r.main);
    const pushed = await git('push', [repo, { tags: true }]);
    expect(pushed.changes).toMatchObject({ commit: { old: r.main, new: made.commit }, tags: { new: ['v2'] } });
    expect(sh(r.bare, 'rev-parse', 'main')).toBe(made.commit);
    expect(sh(r.bare, 'rev-parse', 'v2^{commit}')).toBe(made.commit);
    expect(await git('push', [repo, { tags: true }])).toMatchObject({ changed: false });
  });

  it('status, current_commit, current_branch and diff read the clone; a path that is not a clone is an error', async () => {
    const r = bareRepo();
    const path = dest();
    await git('clone', [r.url, path]);
    writeFileSync(join(path, 'README'), 'changed\n');
    writeFileSync(join(path, 'new.txt'), 'n\n');
    const s = (await git('status', [path])) as unknown as Record<string, unknown>;
    expect(s).toMatchObject({
      branch: 'main',
      commit: r.main,
      upstream: 'origin/main',
      clean: false,
      modified: ['README'],
      untracked: ['new.txt'],
    });
    expect(await call(gitModule, 'current_commit', [path], context().ctx)).toBe(r.main);
    expect(await call(gitModule, 'current_branch', [path], context().ctx)).toBe('main');
    expect(await call(gitModule, 'diff', [path], context().ctx)).toMatch(/^-v1\n\+changed\n/m);
    const notRepo = mkdtempSync(join(tmpdir(), 'sloth-notrepo-'));
    expect((await failure(call(gitModule, 'status', [notRepo], context().ctx))).message).toMatch(/is not a git clone/);
  });
});
