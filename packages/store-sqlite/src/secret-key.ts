import { randomBytes, scryptSync } from 'node:crypto';
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SlothError } from '@sloth/core/internal';
import type { Store } from './open-store.js';
import { open, seal } from './secret-box.js';

/** Where the key of the secrets comes from: a passphrase, or (none given) the key file next to the database. */
export interface SecretKeySource {
  passphrase?: string | undefined;
  /** Where the passphrase came from, for messages ("SLOTH_SECRET_PASSPHRASE", a file). */
  from?: string | undefined;
}

/** How a key is made, as the secret_key row records it. */
export interface KeyRecord {
  mode: 'key_file' | 'passphrase';
  salt: string | null;
  params: string | null;
  check: string;
}

const CHECK_TEXT = 'sloth-runner secrets key check';
const CHECK_AAD = 'sloth-runner:key-check';
/** scrypt's cost: 2^15 iterations of 8 blocks (32 MiB), OWASP's recommended minimum for scrypt. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 };
const KEY_FILE = 'secret.key';

/** The key file of a data directory's secrets. */
export function secretKeyFile(dataDir: string): string {
  return join(dataDir, KEY_FILE);
}

/** The passphrase from the environment: SLOTH_SECRET_PASSPHRASE, else the file SLOTH_SECRET_PASSPHRASE_FILE names. */
export function passphraseFromEnv(env: NodeJS.ProcessEnv = process.env): SecretKeySource {
  if (env.SLOTH_SECRET_PASSPHRASE) return { passphrase: env.SLOTH_SECRET_PASSPHRASE, from: 'SLOTH_SECRET_PASSPHRASE' };
  if (env.SLOTH_SECRET_PASSPHRASE_FILE) return passphraseFromFile(env.SLOTH_SECRET_PASSPHRASE_FILE);
  return {};
}

/** The passphrase in a file (its first line; an empty one is refused). */
export function passphraseFromFile(path: string): SecretKeySource {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SlothError('usage', `cannot read the passphrase file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`, {
      hint: 'give a readable file holding the passphrase on its first line',
    });
  }
  const passphrase = text.split(/\r?\n/)[0] ?? '';
  if (passphrase === '')
    throw new SlothError('usage', `the passphrase file ${path} is empty`, { hint: 'write the passphrase on its first line' });
  return { passphrase, from: path };
}

const derived = new Map<string, Buffer>();

/** scrypt of the passphrase (cached per process: deriving costs a noticeable fraction of a second on purpose). */
function derive(passphrase: string, salt: string, params: string): Buffer {
  const id = `${salt}\0${params}\0${passphrase}`;
  let key = derived.get(id);
  if (!key) {
    const p = JSON.parse(params) as typeof SCRYPT;
    key = scryptSync(passphrase, Buffer.from(salt, 'hex'), 32, { ...p, maxmem: 256 * p.N * p.r });
    derived.set(id, key);
  }
  return key;
}

/** The check of a key: a known text sealed under it. */
export function keyCheck(key: Buffer): string {
  return seal(key, CHECK_TEXT, CHECK_AAD);
}

/** A new key for `source`: its record (the key check included) and, for a key file, the key to write. */
export function newKey(source: SecretKeySource): { key: Buffer; record: KeyRecord } {
  if (source.passphrase !== undefined) {
    const salt = randomBytes(16).toString('hex');
    const params = JSON.stringify(SCRYPT);
    const key = derive(source.passphrase, salt, params);
    return { key, record: { mode: 'passphrase', salt, params, check: keyCheck(key) } };
  }
  const key = randomBytes(32);
  return { key, record: { mode: 'key_file', salt: null, params: null, check: keyCheck(key) } };
}

/** True when `key` opens the record's check. */
export function opensCheck(key: Buffer, record: KeyRecord): boolean {
  return open(key, record.check, CHECK_AAD) === CHECK_TEXT;
}

/**
 * The key of the record for `source`, checked: a wrong passphrase, a key file that is missing, unreadable, readable by
 * others or another directory's, or a passphrase given for key-file secrets (or none for passphrase ones) is an error
 * saying so.
 */
export function keyOf(store: Store, record: KeyRecord, source: SecretKeySource): Buffer {
  const where = store.dataDir;
  if (record.mode === 'passphrase') {
    if (source.passphrase === undefined) {
      throw new SlothError('usage', `the secrets in ${where} are protected by a passphrase, and none was given`, {
        hint: 'set SLOTH_SECRET_PASSPHRASE (or SLOTH_SECRET_PASSPHRASE_FILE), or pass --passphrase-file FILE',
      });
    }
    const key = derive(source.passphrase, record.salt ?? '', record.params ?? JSON.stringify(SCRYPT));
    if (!opensCheck(key, record)) {
      throw new SlothError(
        'usage',
        `the passphrase does not open the secrets in ${where}; it is not the one they were set with`,
        {
          hint: `check ${source.from ?? 'the passphrase'}; a lost passphrase cannot be recovered: \`sloth-runner secret delete NAME\` each secret and set it again`,
        },
      );
    }
    return key;
  }
  if (source.passphrase !== undefined) {
    throw new SlothError(
      'usage',
      `the secrets in ${where} use the key file ${secretKeyFile(where)}, not a passphrase (${source.from} is set)`,
      {
        hint: 'unset it (or leave out --passphrase-file), or move them to a passphrase with `sloth-runner secret rotate-key --new-passphrase-file FILE`',
      },
    );
  }
  const file = secretKeyFile(where);
  // A rotation that stopped between committing the new key's rows and renaming its file leaves the new key in .new.
  for (const candidate of [file, `${file}.new`]) {
    const key = readKeyFile(candidate);
    if (key === undefined || !opensCheck(key, record)) continue;
    if (candidate !== file) renameSync(candidate, file);
    return key;
  }
  if (readKeyFile(file) === undefined) {
    throw new SlothError('usage', `the key file ${file} of the secrets in ${where} is missing`, {
      hint: 'restore it from the backup of this directory; without it the secrets cannot be read: `sloth-runner secret delete NAME` each one and set it again',
    });
  }
  throw new SlothError('usage', `the key file ${file} does not open the secrets in ${where}: it belongs to other secrets`, {
    hint: 'restore the key file made with these secrets; without it they cannot be read: delete them and set them again',
  });
}

/** The key in a key file (undefined when the file is absent); a malformed file or one others can read is an error. */
export function readKeyFile(path: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SlothError('usage', `cannot read the secrets' key file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`, {
      hint: 'run as the user who owns the data directory',
    });
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SlothError('usage', `the secrets' key file ${path} can be read by others (mode 0${mode.toString(8)})`, {
      hint: `make it readable by its owner only: chmod 600 ${path}`,
    });
  }
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new SlothError('usage', `the secrets' key file ${path} is not a key (64 hex digits)`, {
      hint: 'restore it from the backup of this directory',
    });
  }
  return Buffer.from(hex, 'hex');
}

/**
 * Writes `key` to `path` (mode 0600) unless a file is there already: the one there wins (another process made it
 * first), and its key is returned. The write goes to a temp file linked into place, so nobody reads a half-written key.
 */
export function writeKeyFile(path: string, key: Buffer): Buffer {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readKeyFile(path) as Buffer;
  } finally {
    unlinkSync(temp);
  }
}

/** Replaces the key file with `key` (rotation): written to `.new` first, renamed once the rows are re-encrypted. */
export function stageKeyFile(path: string, key: Buffer): string {
  const staged = `${path}.new`;
  writeFileSync(staged, `${key.toString('hex')}\n`, { mode: 0o600 });
  return staged;
}
