import { rename, stat, writeFile } from 'node:fs/promises';
import { readUserFile } from '@sloth/core/internal';
import type { ValueCipher } from '../values-crypt.js';
import { withSecrets } from './open.js';

/**
 * Rewrites a values file in place with `change` (encrypt or decrypt its leaves) under the data directory's secret
 * key: the new text goes to a temp file renamed over it (same mode), so a failure leaves the file as it was.
 */
export async function rewriteValuesFile(
  file: string,
  flags: { 'data-dir'?: string | undefined; 'passphrase-file'?: string | undefined },
  change: (text: string, cipher: ValueCipher, file: string) => { text: string; count: number },
): Promise<number> {
  const text = await readUserFile(file, 'values file', 'pass the path of a YAML values file');
  const result = await withSecrets(flags, (repo) => change(text, repo, file));
  if (result.count === 0) return 0;
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, result.text, { mode: (await stat(file)).mode & 0o777 });
  await rename(temp, file);
  return result.count;
}
