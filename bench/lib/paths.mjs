// Where things are: the repo, the CLI, the scratch directory for generated files.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO = dirname(BENCH_DIR);
export const WORK = join(BENCH_DIR, '.work');
/** The CLI entry; run with `node` directly, the same thing ./sloth-runner execs. */
export const CLI = join(REPO, 'sloth-runner');

export function workFile(name) {
  mkdirSync(WORK, { recursive: true });
  return join(WORK, name);
}
