import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Identity for commits made by tests, whatever the machine's git config. */
export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Sloth Test',
  GIT_AUTHOR_EMAIL: 'test@sloth.invalid',
  GIT_COMMITTER_NAME: 'Sloth Test',
  GIT_COMMITTER_EMAIL: 'test@sloth.invalid',
};

/** Runs real git (for setting up fixtures), failing loudly. */
export function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_IDENTITY }, encoding: 'utf8' }).trim();
}

/**
 * A bare repository (the "remote", reached by file:// URL) with a commit on main, a `production` branch one commit
 * ahead and a tag v1 on main's first commit; `work` is a clone of it for making more commits.
 */
export function bareRepo(): { url: string; bare: string; work: string; main: string; production: string } {
  const root = mkdtempSync(join(tmpdir(), 'sloth-git-'));
  const bare = join(root, 'remote.git');
  sh(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const work = join(root, 'work');
  sh(root, 'clone', '-q', bare, work);
  writeFileSync(join(work, 'README'), 'v1\n');
  sh(work, 'add', 'README');
  sh(work, 'commit', '-q', '-m', 'first');
  sh(work, 'tag', 'v1');
  const main = sh(work, 'rev-parse', 'HEAD');
  sh(work, 'checkout', '-q', '-b', 'production');
  writeFileSync(join(work, 'prod.conf'), 'prod\n');
  sh(work, 'add', 'prod.conf');
  sh(work, 'commit', '-q', '-m', 'production config');
  const production = sh(work, 'rev-parse', 'HEAD');
  sh(work, 'push', '-q', 'origin', 'main', 'production', '--tags');
  sh(work, 'checkout', '-q', 'main');
  return { url: `file://${bare}`, bare, work, main, production };
}

/** Adds a commit on main in `work` and pushes it; returns its id. */
export function pushCommit(work: string, file: string, text: string): string {
  writeFileSync(join(work, file), text);
  sh(work, 'add', file);
  sh(work, 'commit', '-q', '-m', `update ${file}`);
  sh(work, 'push', '-q', 'origin', 'main');
  return sh(work, 'rev-parse', 'HEAD');
}
