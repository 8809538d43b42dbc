import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellLine, shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it('leaves plain words bare and quotes the rest', () => {
    expect(shellQuote('/usr/bin/env')).toBe('/usr/bin/env');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('')).toBe("''");
  });

  it('gives a real shell back exactly the words it was given', () => {
    const words = ["it's", 'a b', '$HOME', '`id`', '"q"', 'x\ny', '*', '', '\\'];
    const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${shellLine(words)}`]);
    expect(out.toString().split('\0').slice(0, -1)).toEqual(words);
  });
});
