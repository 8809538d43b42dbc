import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearSecrets, maskSecrets } from '@sloth/core/internal';
import { openStore, SecretRepo } from '@sloth/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decryptValuesText, decryptValuesTree, encryptValuesText } from './values-crypt.js';

afterEach(() => clearSecrets());

function cipher(): SecretRepo {
  return new SecretRepo(openStore(mkdtempSync(join(tmpdir(), 'sloth-values-'))), {});
}

const VALUES = `# production
db:
  host: db.internal   # the primary
  password: "hunter2-long"
  port: 5432
  ratio: 0.5
  tls: true
  empty: null
hosts:
  - web-01
  - "123"
`;

describe('values files: encrypt-values, decrypt-values and -v', () => {
  it('encrypts each leaf in place (keys and comments readable), decrypts back to the same types, and is idempotent', () => {
    const c = cipher();
    const enc = encryptValuesText(VALUES, c, 'v.yaml');
    expect(enc.count).toBe(7);
    expect(enc.text).not.toContain('hunter2');
    expect(enc.text).not.toContain('db.internal');
    expect(enc.text).toContain('# the primary');
    expect(enc.text).toMatch(/password: ENC\[AES256_GCM,v1:[A-Za-z0-9+/=]+,type:str\]/);
    expect(enc.text).toMatch(/port: ENC\[AES256_GCM,v1:[^\]]+,type:int\]/);
    expect(enc.text).toContain('empty: null');
    expect(encryptValuesText(enc.text, c, 'v.yaml').count).toBe(0);
    const dec = decryptValuesText(enc.text, c, 'v.yaml');
    expect(dec.count).toBe(7);
    expect(parse(dec.text)).toEqual(parse(VALUES));
    expect(dec.text).toContain('# the primary');
  });

  it('decrypts a parsed tree for -v and masks what it decrypted; a value moved or another key is a clear error', () => {
    const c = cipher();
    const enc = encryptValuesText(VALUES, c, 'v.yaml').text;
    const tree = decryptValuesTree(parse(enc), () => c, 'v.yaml');
    expect(tree).toEqual(parse(VALUES));
    expect(maskSecrets('pw=hunter2-long')).toBe('pw=***');
    const moved = enc.replace(/password: (ENC\S+)/, 'other: $1');
    expect(() => decryptValuesTree(parse(moved), () => c, 'v.yaml')).toThrow(
      "values file v.yaml: the value of 'db.other' cannot be decrypted",
    );
    expect(() => decryptValuesText(enc, cipher(), 'v.yaml')).toThrow("the value of 'db.host' cannot be decrypted");
  });
});
