import { execFileSync } from 'node:child_process';
import { call, failure, testContext } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { cryptoModule } from './crypto-module.js';

const run = (name: string, ...args: unknown[]) => call(cryptoModule, name, args, testContext().ctx);

describe('crypto', () => {
  it('hashes with the standard vectors (FIPS 180, RFC 1321, RFC 4231)', async () => {
    expect(await run('sha256', 'abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await run('sha512', 'abc')).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
    expect(await run('sha1', 'abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(await run('md5', 'abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(await run('hmac_sha256', 'Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('encodes and decodes base64 and hex, refusing what is neither', async () => {
    expect(await run('base64_encode', 'user:pässword')).toBe('dXNlcjpww6Rzc3dvcmQ=');
    expect(await run('base64_decode', 'dXNlcjpww6Rzc3dvcmQ=')).toBe('user:pässword');
    expect(await run('base64_decode', 'aGk')).toBe('hi');
    expect(await run('hex_encode', 'hi')).toBe('6869');
    expect(await run('hex_decode', '6869')).toBe('hi');
    expect((await failure(run('base64_decode', 'not base64!'))).message).toBe('crypto.base64_decode: not base64: "not base64!"');
    expect((await failure(run('hex_decode', 'abc'))).message).toBe('crypto.hex_decode: not hex: "abc"');
  });

  it('makes random bytes, strings from an alphabet and UUIDs', async () => {
    expect(await run('random_bytes', 16)).toMatch(/^[0-9a-f]{32}$/);
    expect(await run('random_string', 40)).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(await run('random_string', 12, '01')).toMatch(/^[01]{12}$/);
    expect(await run('uuid')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await failure(run('random_bytes', 0))).message).toBe('crypto.random_bytes: argument #1 (n): expected at least 1');
    expect((await failure(run('random_string', 5, 'a'))).message).toContain('expected at least 2 characters');
  });

  it("makes SHA-crypt hashes: the specification's vectors", async () => {
    const hash = (plain: string, opts: unknown) => run('password_hash', plain, opts);
    expect(await hash('Hello world!', { salt: 'saltstring' })).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
    expect(await hash('Hello world!', { method: 'sha256', salt: 'saltstring' })).toBe(
      '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5',
    );
    expect(await hash('Hello world!', { salt: 'saltstringsaltst', rounds: 10_000 })).toBe(
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    );
    expect(await hash('Hello world!', { method: 'sha256', salt: 'saltstringsaltst', rounds: 10_000 })).toBe(
      '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA',
    );
  });

  it('agrees with openssl passwd -6 and -5, for long, short and non-ASCII passwords', async () => {
    for (const plain of [
      's3cret',
      'x',
      'a much longer passphrase that spans more than sixty-four bytes in total, really',
      'pässwörd',
    ]) {
      for (const [method, flag] of [
        ['sha512', '-6'],
        ['sha256', '-5'],
      ] as const) {
        const expected = execFileSync('openssl', ['passwd', flag, '-salt', 'Ab/9.xyz', plain], { encoding: 'utf8' }).trim();
        expect(await run('password_hash', plain, { method, salt: 'Ab/9.xyz' })).toBe(expected);
      }
    }
  });

  it('verifies a password against its hash (random salt), true or false', async () => {
    const hash = (await run('password_hash', 's3cret')) as string;
    expect(hash).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(await run('password_verify', 's3cret', hash)).toBe(true);
    expect(await run('password_verify', 's3cret!', hash)).toBe(false);
    const openssl = execFileSync('openssl', ['passwd', '-6', 'from openssl'], { encoding: 'utf8' }).trim();
    expect(await run('password_verify', 'from openssl', openssl)).toBe(true);
    const other = await failure(run('password_verify', 'x', '$y$j9T$abc$def'));
    expect(other.message).toBe('crypto.password_verify: not a "$6$" or "$5$" crypt hash: "$y$j..."');
  });

  it('refuses a bad method or salt with the option named', async () => {
    expect((await failure(run('password_hash', 'x', { method: 'md5' }))).message).toBe(
      'crypto.password_hash: argument #2 (opts) field \'method\': expected "sha512" or "sha256"',
    );
    expect((await failure(run('password_hash', 'x', { salt: 'has$dollar' }))).message).toContain("field 'salt'");
  });
});
