import { randomBytes } from 'node:crypto';

// A ULID (https://github.com/ulid/spec): 10 characters of milliseconds then 16 of randomness, in Crockford's base32,
// so ids sort by creation time as text. Within one millisecond the random part is incremented (monotonic), so the
// ids one process makes sort in the order it made them.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = -1;
/** lastTime as its 10 base32 digits: computed once per millisecond, not per id (a burst shares it). */
let lastPrefix = '';
let lastRandom: number[] = [];

/** A new sortable unique event id, e.g. 01JB3Z7K9QG3V4W8X2N5R6T7Y8. */
export function newEventId(now = Date.now()): string {
  if (now <= lastTime) {
    increment(lastRandom);
  } else {
    lastTime = now;
    lastPrefix = '';
    let t = now;
    for (let i = 0; i < 10; i++) {
      lastPrefix = ALPHABET[t % 32] + lastPrefix;
      t = Math.floor(t / 32);
    }
    const bytes = randomBytes(10);
    lastRandom = [];
    // 80 random bits as 16 base32 digits.
    let bits = 0;
    let value = 0;
    for (const b of bytes) {
      value = (value << 8) | b;
      bits += 8;
      while (bits >= 5) {
        bits -= 5;
        lastRandom.push((value >> bits) & 31);
      }
      value &= (1 << bits) - 1;
    }
  }
  let id = lastPrefix;
  for (const d of lastRandom) id += ALPHABET[d];
  return id;
}

function increment(digits: number[]): void {
  for (let i = digits.length - 1; i >= 0; i--) {
    const d = (digits[i] as number) + 1;
    if (d < 32) {
      digits[i] = d;
      return;
    }
    digits[i] = 0;
  }
}
