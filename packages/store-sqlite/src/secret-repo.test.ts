import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from './open-store.js';
import { secretKeyFile } from './secret-key.js';
import { SecretRepo } from './secret-repo.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterAll(() => {
  for (const s of stores) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fresh(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-secret-'));
  dirs.push(dir);
  const store = openStore(dir);
  stores.push(store);
  return store;
}

const VALUE = 'https://hooks.example.test/T000/B000/very-secret-token';
const withPass = (passphrase: string) => ({ passphrase, from: 'SLOTH_SECRET_PASSPHRASE' });

function errorOf(fn: () => unknown): Error & { hint?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { hint?: string };
  }
  throw new Error('expected an error');
}

/** Every byte of the data directory (database, WAL, key file), as text. */
function everything(store: Store): string {
  store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return ['sloth.db', 'sloth.db-wal', 'secret.key']
    .map((f) => join(store.dataDir, f))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'latin1'))
    .join('\n');
}

describe('SecretRepo with a key file', () => {
  it('stores values encrypted, reads them back, and lists names without values', () => {
    const store = fresh();
    const repo = new SecretRepo(store, {});
    repo.set('slack_webhook_url', VALUE);
    expect(repo.get('slack_webhook_url')).toBe(VALUE);
    expect(repo.get('absent')).toBeUndefined();
    expect(repo.has('slack_webhook_url')).toBe(true);
    expect(repo.list().map((e) => e.name)).toEqual(['slack_webhook_url']);
    expect(JSON.stringify(repo.list())).not.toContain('hooks.example');
    expect(everything(store)).not.toContain('very-secret-token');
    const file = secretKeyFile(store.dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Another process (another repo) opens them with the same key file.
    expect(new SecretRepo(store, {}).get('slack_webhook_url')).toBe(VALUE);
    expect(repo.delete('slack_webhook_url')).toBe(true);
    expect(repo.delete('slack_webhook_url')).toBe(false);
  });

  it('refuses a bad name, a missing key file, one others can read, and one of other secrets', () => {
    const store = fresh();
    const repo = new SecretRepo(store, {});
    expect(errorOf(() => repo.set('1bad name', 'x')).message).toContain("'1bad name' is not a secret name");
    repo.set('token', 'abc-123-secret');
    const file = secretKeyFile(store.dataDir);
    chmodSync(file, 0o644);
    const open = errorOf(() => new SecretRepo(store, {}).get('token'));
    expect(open.message).toContain('can be read by others (mode 0644)');
    expect(open.hint).toContain(`chmod 600 ${file}`);
    const saved = readFileSync(file);
    rmSync(file);
    expect(errorOf(() => new SecretRepo(store, {}).get('token')).message).toContain(`the key file ${file} of the secrets in`);
    // A key file of other secrets: written by another directory.
    const other = fresh();
    new SecretRepo(other, {}).set('x', 'y');
    chmodSync(secretKeyFile(other.dataDir), 0o600);
    copyFileSync(secretKeyFile(other.dataDir), file);
    expect(errorOf(() => new SecretRepo(store, {}).get('token')).message).toContain('belongs to other secrets');
    writeFileSync(file, saved, { mode: 0o600 });
    expect(new SecretRepo(store, {}).get('token')).toBe('abc-123-secret');
    // A passphrase given for key-file secrets is a mistake, said so.
    expect(errorOf(() => new SecretRepo(store, withPass('pw')).get('token')).message).toContain('use the key file');
  });

  it('names a corrupt row, and a row copied under another name does not open', () => {
    const store = fresh();
    const repo = new SecretRepo(store, {});
    repo.set('a', 'value-a');
    repo.set('b', 'value-b');
    store.sqlite.prepare("UPDATE secrets SET value = 'v1:AAAA' WHERE name = 'a'").run();
    store.sqlite.prepare("INSERT INTO secrets SELECT 'c', value, 0, 0 FROM secrets WHERE name = 'b'").run();
    const err = errorOf(() => repo.get('a'));
    expect(err.message).toContain("secret 'a' in");
    expect(err.message).toContain('cannot be decrypted: its row is corrupt');
    expect(err.message).not.toContain('value-a');
    expect(errorOf(() => repo.get('c')).message).toContain("secret 'c'");
    expect(repo.get('b')).toBe('value-b');
  });
});

describe('SecretRepo with a passphrase', () => {
  it('opens with the passphrase only: a wrong or missing one is a clear error, never garbage', () => {
    const store = fresh();
    new SecretRepo(store, withPass('correct horse')).set('db_password', 'hunter2-hunter2');
    expect(existsSync(secretKeyFile(store.dataDir))).toBe(false);
    expect(new SecretRepo(store, withPass('correct horse')).get('db_password')).toBe('hunter2-hunter2');
    const wrong = errorOf(() => new SecretRepo(store, withPass('battery staple')).get('db_password'));
    expect(wrong.message).toContain(`the passphrase does not open the secrets in ${store.dataDir}`);
    expect(wrong.hint).toContain('SLOTH_SECRET_PASSPHRASE');
    expect(errorOf(() => new SecretRepo(store, {}).get('db_password')).message).toContain(
      'are protected by a passphrase, and none was given',
    );
    expect(errorOf(() => new SecretRepo(store, withPass('battery staple')).set('x', 'y')).message).toContain(
      'the passphrase does not open',
    );
    expect(everything(store)).not.toContain('hunter2');
  });

  it('rotates to a new passphrase and to a key file, all secrets or none', () => {
    const store = fresh();
    const first = new SecretRepo(store, withPass('one'));
    first.set('a', 'alpha-secret');
    first.set('b', 'beta-secret');
    expect(first.rotate(withPass('two'))).toBe(2);
    expect(errorOf(() => new SecretRepo(store, withPass('one')).get('a')).message).toContain('does not open');
    const second = new SecretRepo(store, withPass('two'));
    expect(second.get('b')).toBe('beta-secret');
    expect(second.rotate({})).toBe(2);
    expect(statSync(secretKeyFile(store.dataDir)).mode & 0o777).toBe(0o600);
    expect(new SecretRepo(store, {}).get('a')).toBe('alpha-secret');
    // A corrupt row stops the rotation before anything changes.
    store.sqlite.prepare("UPDATE secrets SET value = 'v1:AAAA' WHERE name = 'b'").run();
    expect(errorOf(() => new SecretRepo(store, {}).rotate(withPass('three'))).message).toContain("secret 'b'");
    expect(new SecretRepo(store, {}).get('a')).toBe('alpha-secret');
  });
});
