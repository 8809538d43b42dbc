import { createHash, createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { arg, defineModule, fn, luaTable, SlothError, strictTable, z } from '@sloth/core';
import { randomSalt, shaCrypt, shaCryptVerify, validSalt } from './sha-crypt.js';

const text = z.string();

function digest(algorithm: 'sha256' | 'sha512' | 'sha1' | 'md5', note: string) {
  return fn({
    doc: `The ${algorithm.toUpperCase()} digest of a string (its UTF-8 bytes), as lower-case hex.${note}`,
    args: [arg('text', text, 'the text to hash')],
    returns: 'string (hex)',
    examples: [`log.info(crypto.${algorithm}("hello"))`],
    run: ([value]) => createHash(algorithm).update(value, 'utf8').digest('hex'),
  });
}

const count = (max: number) =>
  z.number().int('expected a whole number').min(1, 'expected at least 1').max(max, `expected at most ${max}`);

const DEFAULT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const hashOptions = luaTable(
  strictTable({
    method: z.enum(['sha512', 'sha256'], { error: () => 'expected "sha512" or "sha256"' }).optional(),
    salt: z.string().refine(validSalt, 'expected 1 to 16 characters of a-z, A-Z, 0-9, "." and "/"').optional(),
    rounds: z.number().int('expected a whole number').min(1000).max(999_999_999).optional(),
  }),
  'expected a table of options like { method = "sha512" }, got a list',
).optional();

/** `crypto`: hashes, encodings, random values and crypt(3) password hashes, from Node's crypto. */
export const cryptoModule = defineModule({
  name: 'crypto',
  importFrom: import.meta.url,
  doc: 'Hashes (sha256, sha512, sha1, md5, hmac_sha256: hex), base64 and hex encodings, random values from the system\'s secure generator, and crypt(3) password hashes ("$6$...", what useradd -p and /etc/shadow take).',
  functions: {
    sha256: digest('sha256', ''),
    sha512: digest('sha512', ''),
    sha1: digest('sha1', ' For checksums only: SHA-1 is broken for signatures.'),
    md5: digest('md5', ' For checksums only: MD5 is broken for anything secret.'),
    hmac_sha256: fn({
      doc: 'The HMAC-SHA256 of text under key, as lower-case hex (webhook signatures: GitHub, Slack, Stripe).',
      args: [arg('key', text, 'the secret key'), arg('text', text, 'the message')],
      returns: 'string (hex)',
      examples: ['local sig = "sha256=" .. crypto.hmac_sha256(secret_key, body)'],
      run: ([key, value]) => createHmac('sha256', key).update(value, 'utf8').digest('hex'),
    }),
    base64_encode: fn({
      doc: 'Encodes a string (its UTF-8 bytes) as standard base64.',
      args: [arg('text', text, 'the text to encode')],
      returns: 'string',
      examples: ['local auth = "Basic " .. crypto.base64_encode("user:pass")'],
      run: ([value]) => Buffer.from(value, 'utf8').toString('base64'),
    }),
    base64_decode: fn({
      doc: 'Decodes standard or URL-safe base64 (padding optional) into a string; bytes that are not UTF-8 text are replaced.',
      args: [arg('text', text, 'base64 text')],
      returns: 'string',
      examples: ['log.info(crypto.base64_decode("aGVsbG8="))'],
      run: ([value], ctx) => {
        const clean = value.replace(/\s+/g, '');
        if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.replace(/=+$/, '').length % 4 === 1) {
          throw new SlothError('invalid_argument', `${ctx.fn}: not base64: "${value.slice(0, 40)}"`, {
            hint: 'base64 holds only A-Z, a-z, 0-9, + and / (or - and _), with = at the end',
          });
        }
        return Buffer.from(clean, 'base64').toString('utf8');
      },
    }),
    hex_encode: fn({
      doc: 'Encodes a string (its UTF-8 bytes) as lower-case hex.',
      args: [arg('text', text, 'the text to encode')],
      returns: 'string',
      examples: ['log.info(crypto.hex_encode("hi"))  -- 6869'],
      run: ([value]) => Buffer.from(value, 'utf8').toString('hex'),
    }),
    hex_decode: fn({
      doc: 'Decodes hex (either case) into a string; bytes that are not UTF-8 text are replaced.',
      args: [arg('hex', text, 'an even number of hex digits')],
      returns: 'string',
      examples: ['log.info(crypto.hex_decode("6869"))  -- hi'],
      run: ([value], ctx) => {
        if (!/^([0-9a-fA-F]{2})*$/.test(value)) {
          throw new SlothError('invalid_argument', `${ctx.fn}: not hex: "${value.slice(0, 40)}"`, {
            hint: 'hex is an even number of the digits 0-9 and a-f',
          });
        }
        return Buffer.from(value, 'hex').toString('utf8');
      },
    }),
    random_bytes: fn({
      doc: 'n random bytes from the secure generator, as hex (2n characters): tokens, keys.',
      args: [arg('n', count(65_536), 'how many bytes')],
      returns: 'string (hex)',
      examples: ['local token = crypto.random_bytes(32)'],
      run: ([n]) => randomBytes(n).toString('hex'),
    }),
    random_string: fn({
      doc: 'A string of n characters drawn uniformly from alphabet (default A-Z, a-z, 0-9) with the secure generator: passwords.',
      args: [
        arg('n', count(65_536), 'how many characters'),
        arg('alphabet', z.string().min(2, 'expected at least 2 characters').optional(), 'the characters to draw from'),
      ],
      returns: 'string',
      examples: ['local password = crypto.random_string(24)', 'local pin = crypto.random_string(6, "0123456789")'],
      run: ([n, alphabet]) => {
        const chars = [...new Set(alphabet ?? DEFAULT_ALPHABET)];
        let out = '';
        for (let i = 0; i < n; i++) out += chars[randomInt(chars.length)];
        return out;
      },
    }),
    uuid: fn({
      doc: 'A random (version 4) UUID.',
      args: [],
      returns: 'string',
      examples: ['local id = crypto.uuid()'],
      run: () => randomUUID(),
    }),
    password_hash: fn({
      doc: 'A crypt(3) password hash as /etc/shadow, useradd -p and user.create({ password = ... }) take it: method "sha512" (default, "$6$...") or "sha256" ("$5$..."), a random 16-character salt unless salt is given, rounds (default 5000). The same as `openssl passwd -6`.',
      args: [arg('plain', text, 'the password'), arg('opts', hashOptions, '{ method = "sha512", salt = "...", rounds = 5000 }')],
      returns: 'string ("$6$salt$hash")',
      examples: ['local hash = crypto.password_hash("s3cret", { method = "sha512" })'],
      run: ([plain, opts]) => shaCrypt(plain, opts?.method ?? 'sha512', opts?.salt ?? randomSalt(), opts?.rounds),
    }),
    password_verify: fn({
      doc: 'Whether a password matches a "$6$" or "$5$" crypt hash (an /etc/shadow field), compared in constant time. Another kind of hash ("$y$" yescrypt, "$1$" MD5) is an error.',
      args: [arg('plain', text, 'the password'), arg('hash', text, 'a "$6$..." or "$5$..." hash')],
      returns: 'boolean',
      examples: ['if not crypto.password_verify("s3cret", hash) then error("wrong password") end'],
      run: ([plain, hash], ctx) => {
        const ok = shaCryptVerify(plain, hash);
        if (ok === undefined) {
          throw new SlothError('invalid_argument', `${ctx.fn}: not a "$6$" or "$5$" crypt hash: "${hash.slice(0, 4)}..."`, {
            hint: 'password_verify checks SHA-crypt hashes (crypto.password_hash, openssl passwd -6)',
          });
        }
        return ok;
      },
    }),
  },
});
