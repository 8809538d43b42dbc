import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const FORMAT = 'v1:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts `plain` with AES-256-GCM under `key` (32 bytes), bound to `aad` (the secret's name: a value copied under
 * another name does not open). Returns `v1:` + base64(nonce | ciphertext | tag); a fresh random nonce each time.
 */
export function seal(key: Buffer, plain: string, aad: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return FORMAT + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

/**
 * The plain text of a `seal` result, or undefined when it does not open under `key` and `aad` (another key, another
 * name, or a changed byte: GCM's tag makes all three fail instead of decrypting to garbage).
 */
export function open(key: Buffer, sealed: string, aad: string): string | undefined {
  if (!sealed.startsWith(FORMAT)) return undefined;
  const raw = Buffer.from(sealed.slice(FORMAT.length), 'base64');
  if (raw.length < NONCE_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
