import { renameSync, rmSync } from 'node:fs';
import { didYouMean, type SecretStore, SlothError } from '@sloth/core/internal';
import { type Store, withStoreErrors } from './open-store.js';
import { perStore, prepareAll, type Statements } from './per-store.js';
import { open, seal } from './secret-box.js';
import {
  type KeyRecord,
  keyCheck,
  keyOf,
  newKey,
  passphraseFromEnv,
  type SecretKeySource,
  secretKeyFile,
  stageKeyFile,
  writeKeyFile,
} from './secret-key.js';

/** A secret as `secret list` shows it: never its value. */
export interface SecretEntry {
  name: string;
  createdAt: number;
  updatedAt: number;
}

const SQL = {
  key: 'SELECT mode, salt, params, "check" FROM secret_key WHERE id = 1',
  putKey:
    'INSERT INTO secret_key (id, mode, salt, params, "check", created_at) VALUES (1, @mode, @salt, @params, @check, @now) ' +
    'ON CONFLICT (id) DO UPDATE SET mode = excluded.mode, salt = excluded.salt, params = excluded.params, ' +
    '"check" = excluded."check", created_at = excluded.created_at',
  get: 'SELECT value FROM secrets WHERE name = ?',
  all: 'SELECT name, value FROM secrets ORDER BY name',
  list: 'SELECT name, created_at AS createdAt, updated_at AS updatedAt FROM secrets ORDER BY name',
  count: 'SELECT count(*) AS n FROM secrets',
  upsert:
    'INSERT INTO secrets (name, value, created_at, updated_at) VALUES (?, ?, ?, ?) ' +
    'ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  replace: 'UPDATE secrets SET value = ? WHERE name = ?',
  delete: 'DELETE FROM secrets WHERE name = ?',
} as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
/** Secrets are credentials, not files: a bound keeps a mistaken `secret set NAME < big-file` out of the database. */
const MAX_VALUE_BYTES = 64 * 1024;

/** Checks a secret name: a letter or _, then letters, digits, _ . - (up to 128 characters). */
export function checkSecretName(name: string, who = 'secret'): void {
  if (!NAME.test(name)) {
    throw new SlothError('invalid_argument', `${who}: '${name}' is not a secret name`, {
      hint: 'a letter or _, then letters, digits, _ . or - (up to 128 characters), e.g. slack_webhook_url',
    });
  }
}

/**
 * The data directory's secrets, each encrypted with AES-256-GCM under the key `source` opens (see secret-key.ts) and
 * bound to its name. The key is made on first use and checked before anything is decrypted or encrypted under it.
 */
export class SecretRepo implements SecretStore {
  private readonly sql: Statements<typeof SQL>;
  private key: Buffer | undefined;

  constructor(
    readonly store: Store,
    private readonly source: SecretKeySource,
  ) {
    this.sql = prepareAll(store, SQL);
  }

  /** Stores (or replaces) a secret. */
  set(name: string, value: string, now = Date.now()): void {
    checkSecretName(name);
    if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES)
      throw new SlothError('invalid_argument', `secret '${name}' is larger than ${MAX_VALUE_BYTES / 1024} KiB`, {
        hint: 'secrets are credentials (tokens, passwords, keys); keep files elsewhere',
      });
    this.store.write(() => {
      const key = this.unlock();
      this.sql.upsert.run(name, seal(key, value, name), now, now);
    });
  }

  /** The value of a secret, or undefined when there is none; a row that does not open is an error naming it. */
  get(name: string): string | undefined {
    const row = this.run(() => this.sql.get.get(name) as { value: string } | undefined);
    if (!row) return undefined;
    return this.decrypt(
      name,
      row.value,
      this.run(() => this.unlock()),
    );
  }

  has(name: string): boolean {
    return this.run(() => this.sql.get.get(name) !== undefined);
  }

  names(): string[] {
    return this.list().map((e) => e.name);
  }

  /** Names and dates, never values (no key needed). */
  list(): SecretEntry[] {
    return this.run(() => this.sql.list.all() as SecretEntry[]);
  }

  /** Deletes a secret (no key needed, so secrets whose key is lost can still be cleared); false when absent. */
  delete(name: string): boolean {
    return this.run(() => this.sql.delete.run(name).changes > 0);
  }

  /**
   * Encrypts a value kept outside the database (a values file's leaf) under the secrets' key, bound to `context`
   * (its key path: a value moved to another key does not open).
   */
  sealValue(plain: string, context: string): string {
    return seal(
      this.store.write(() => this.unlock()),
      plain,
      `value:${context}`,
    );
  }

  /** The plain text of a sealValue result, or undefined when it does not open (another key, another place, changed). */
  openValue(sealed: string, context: string): string | undefined {
    // Reading makes no key: a directory without one cannot have encrypted anything.
    if (!this.key && this.run(() => this.sql.key.get()) === undefined) return undefined;
    return open(
      this.run(() => this.unlock()),
      sealed,
      `value:${context}`,
    );
  }

  /** A clear error for an absent secret: its name, near names, and how to set it. */
  missing(name: string, who: string): SlothError {
    return new SlothError('not_found', `${who}: no secret '${name}' in ${this.store.dataDir}${didYouMean(name, this.names())}`, {
      hint: `set it with \`sloth-runner secret set ${name}\` (it reads the value from stdin)`,
    });
  }

  /**
   * Re-encrypts every secret under a new key made from `next` (a passphrase, or a new random key file), in one
   * transaction: all of them or none. Returns how many were re-encrypted.
   */
  rotate(next: SecretKeySource): number {
    const file = secretKeyFile(this.store.dataDir);
    let staged: string | undefined;
    const count = this.store.write(() => {
      const old = this.unlock();
      const rows = this.sql.all.all() as { name: string; value: string }[];
      const plain = rows.map((r) => this.decrypt(r.name, r.value, old));
      const made = newKey(next);
      if (made.record.mode === 'key_file') staged = stageKeyFile(file, made.key);
      for (const [i, r] of rows.entries()) this.sql.replace.run(seal(made.key, plain[i] as string, r.name), r.name);
      this.sql.putKey.run({ ...made.record, now: Date.now() });
      this.key = made.key;
      return rows.length;
    });
    // After the commit: a crash before this rename is recovered on the next open (keyOf tries the .new file).
    if (staged) renameSync(staged, file);
    else rmSync(file, { force: true });
    return count;
  }

  /** The checked key, made on first use (inside a write transaction: two processes agree on one key). */
  private unlock(): Buffer {
    if (this.key) return this.key;
    const record = this.sql.key.get() as KeyRecord | undefined;
    if (record) {
      try {
        this.key = keyOf(this.store, record, this.source);
        return this.key;
      } catch (err) {
        // Nothing is encrypted under the old key: a new one (this passphrase, or a new key file) loses nothing.
        if ((this.sql.count.get() as { n: number }).n > 0) throw err;
      }
    }
    this.key = this.store.write(() => this.create());
    return this.key;
  }

  private create(): Buffer {
    const again = this.sql.key.get() as KeyRecord | undefined;
    if (again && (this.sql.count.get() as { n: number }).n > 0) return keyOf(this.store, again, this.source);
    const made = newKey(this.source);
    let key = made.key;
    if (made.record.mode === 'key_file') {
      const file = secretKeyFile(this.store.dataDir);
      // A key file left by an earlier database (or another process) is kept: it may open other copies.
      key = writeKeyFile(file, made.key);
      if (!key.equals(made.key)) made.record.check = keyCheck(key);
    }
    this.sql.putKey.run({ ...made.record, now: Date.now() });
    return key;
  }

  private decrypt(name: string, value: string, key: Buffer): string {
    const plain = open(key, value, name);
    if (plain === undefined) {
      throw new SlothError('store', `secret '${name}' in ${this.store.dataDir} cannot be decrypted: its row is corrupt`, {
        hint: `set it again with \`sloth-runner secret set ${name}\`, or \`sloth-runner secret delete ${name}\``,
      });
    }
    return plain;
  }

  private run<T>(fn: () => T): T {
    return withStoreErrors(this.store, fn);
  }
}

/** The secrets of a Store, with the passphrase the environment gives (SLOTH_SECRET_PASSPHRASE...), if any. */
export const secretRepo = perStore((store) => new SecretRepo(store, passphraseFromEnv()));
