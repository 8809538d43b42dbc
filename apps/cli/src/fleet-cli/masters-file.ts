import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirectorySync, SlothError } from '@sloth/core/internal';
import { z } from 'zod';

/** A master saved with `master add`. */
export interface SavedMaster {
  name: string;
  address: string;
  description?: string | undefined;
  addedAt: string;
}

const savedMaster = z.object({
  name: z.string(),
  address: z.string(),
  description: z.string().optional(),
  addedAt: z.string(),
});
const fileSchema = z.object({ default: z.string().optional(), masters: z.array(savedMaster) });
export type MastersFile = z.infer<typeof fileSchema>;

/** Names of saved masters: like agent names, so `--master NAME` never looks like an address. */
export const MASTER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

/** Where `master add` keeps the saved masters: a small JSON file in the data directory. */
export function mastersPath(dataDir: string): string {
  return join(dataDir, 'masters.json');
}

/** The saved masters (none when the file does not exist); a malformed file is an error that names it. */
export function readMasters(dataDir: string): MastersFile {
  const path = mastersPath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    // ENOTDIR: a part of the data directory's path is a file, so no masters file is there either (opening the store
    // then says what is wrong with the directory).
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { masters: [] };
    throw new SlothError('store', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let parsed: z.ZodSafeParseResult<MastersFile>;
  try {
    parsed = fileSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = { success: false } as z.ZodSafeParseResult<MastersFile>;
  }
  if (!parsed.success) {
    throw new SlothError('store', `${path} is not a valid list of masters`, {
      hint: 'fix or delete the file, then add the masters again with `sloth-runner master add NAME ADDR`',
    });
  }
  return parsed.data;
}

/** Writes the saved masters atomically (a crash leaves the old file or the new one, never half of one). */
export function writeMasters(dataDir: string, file: MastersFile): void {
  makeDirectorySync(dataDir, 0o700);
  const path = mastersPath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
