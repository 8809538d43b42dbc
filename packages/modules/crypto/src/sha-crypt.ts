// SHA-crypt: the crypt(3) password hashes "$5$" (SHA-256) and "$6$" (SHA-512) that glibc, shadow's useradd -p and
// `openssl passwd -5/-6` use, after Ulrich Drepper's public specification ("Unix crypt using SHA-256 and SHA-512").
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
const MAX_ROUNDS = 999_999_999;
const MAX_SALT = 16;

interface Variant {
  id: '5' | '6';
  algorithm: 'sha256' | 'sha512';
  size: number;
  /** Which digest bytes make each group of 4 characters of the encoded hash (the spec's permutation). */
  order: number[][];
}

const SHA512: Variant = {
  id: '6',
  algorithm: 'sha512',
  size: 64,
  order: [
    [0, 21, 42],
    [22, 43, 1],
    [44, 2, 23],
    [3, 24, 45],
    [25, 46, 4],
    [47, 5, 26],
    [6, 27, 48],
    [28, 49, 7],
    [50, 8, 29],
    [9, 30, 51],
    [31, 52, 10],
    [53, 11, 32],
    [12, 33, 54],
    [34, 55, 13],
    [56, 14, 35],
    [15, 36, 57],
    [37, 58, 16],
    [59, 17, 38],
    [18, 39, 60],
    [40, 61, 19],
    [62, 20, 41],
    [-1, -1, 63],
  ],
};

const SHA256: Variant = {
  id: '5',
  algorithm: 'sha256',
  size: 32,
  order: [
    [0, 10, 20],
    [21, 1, 11],
    [12, 22, 2],
    [3, 13, 23],
    [24, 4, 14],
    [15, 25, 5],
    [6, 16, 26],
    [27, 7, 17],
    [18, 28, 8],
    [9, 19, 29],
    [-1, 31, 30],
  ],
};

export type ShaCryptMethod = 'sha256' | 'sha512';

/** A random salt of 16 characters from crypt's alphabet. */
export function randomSalt(): string {
  let salt = '';
  for (let i = 0; i < MAX_SALT; i++) salt += ALPHABET[randomInt(ALPHABET.length)];
  return salt;
}

/** True when `salt` can go in a crypt hash: crypt's alphabet, 1 to 16 characters. */
export function validSalt(salt: string): boolean {
  return /^[./0-9A-Za-z]{1,16}$/.test(salt);
}

/** The crypt(3) hash of `password`: `$6$salt$hash` (or `$5$`), with `rounds=N$` when not the default 5000. */
export function shaCrypt(password: string, method: ShaCryptMethod, salt: string, rounds?: number): string {
  const variant = method === 'sha512' ? SHA512 : SHA256;
  const n = rounds === undefined ? DEFAULT_ROUNDS : Math.min(MAX_ROUNDS, Math.max(MIN_ROUNDS, Math.floor(rounds)));
  const s = salt.slice(0, MAX_SALT);
  const prefix = `$${variant.id}$${rounds === undefined ? '' : `rounds=${n}$`}${s}$`;
  return prefix + encode(variant, digestRounds(variant, Buffer.from(password, 'utf8'), Buffer.from(s, 'utf8'), n));
}

/** Whether `password` matches a `$5$` or `$6$` hash; undefined when the hash is of another kind. */
export function shaCryptVerify(password: string, hash: string): boolean | undefined {
  const m = /^\$([56])\$(?:rounds=(\d+)\$)?([^$]{0,16})\$([./0-9A-Za-z]+)$/.exec(hash);
  if (!m) return undefined;
  const method = m[1] === '6' ? 'sha512' : 'sha256';
  const again = Buffer.from(shaCrypt(password, method, m[3] as string, m[2] === undefined ? undefined : Number(m[2])));
  const given = Buffer.from(hash);
  return again.length === given.length && timingSafeEqual(again, given);
}

function digestRounds(v: Variant, p: Buffer, s: Buffer, rounds: number): Buffer {
  const h = () => createHash(v.algorithm);
  const b = h().update(p).update(s).update(p).digest();
  const a = h().update(p).update(s);
  a.update(repeatTo(b, p.length));
  for (let bits = p.length; bits > 0; bits >>= 1) a.update(bits & 1 ? b : p);
  let c = a.digest();
  const pBytes = repeatTo(
    h()
      .update(Buffer.concat(Array(p.length).fill(p)))
      .digest(),
    p.length,
  );
  const sBytes = repeatTo(
    h()
      .update(Buffer.concat(Array(16 + (c[0] as number)).fill(s)))
      .digest(),
    s.length,
  );
  for (let i = 0; i < rounds; i++) {
    const d = h();
    d.update(i & 1 ? pBytes : c);
    if (i % 3 !== 0) d.update(sBytes);
    if (i % 7 !== 0) d.update(pBytes);
    d.update(i & 1 ? c : pBytes);
    c = d.digest();
  }
  return c;
}

/** `length` bytes of `digest` repeated (the spec's "for each block of the password, add the digest"). */
function repeatTo(digest: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += digest.length) digest.copy(out, i, 0, Math.min(digest.length, length - i));
  return out;
}

/** crypt's base64: 24 bits at a time, least significant 6 bits first, in the variant's byte order. */
function encode(v: Variant, c: Buffer): string {
  let out = '';
  for (const group of v.order) {
    const used = group.filter((i) => i >= 0).length;
    const [x, y, z] = group.map((i) => (i >= 0 ? (c[i] as number) : 0)) as [number, number, number];
    let w = (x << 16) | (y << 8) | z;
    for (let k = 0; k < used + 1; k++) {
      out += ALPHABET[w & 0x3f];
      w >>= 6;
    }
  }
  return out;
}
