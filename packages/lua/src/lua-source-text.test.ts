import { describe, expect, it } from 'vitest';
import { luaSourceText } from './lua-source-text.js';

describe('luaSourceText', () => {
  it('turns a shebang line into a comment, keeping line numbers', () => {
    expect(luaSourceText('#!/usr/bin/env sloth-runner\nx = 1\n')).toBe('--#!/usr/bin/env sloth-runner\nx = 1\n');
  });
  it('drops a UTF-8 byte order mark, before a shebang too', () => {
    expect(luaSourceText('\uFEFFx = 1')).toBe('x = 1');
    expect(luaSourceText('\uFEFF#!/bin/x\nx = 1')).toBe('--#!/bin/x\nx = 1');
  });
  it('leaves other text as it is, a # later in the file included', () => {
    expect(luaSourceText('x = #t\n#y')).toBe('x = #t\n#y');
  });
});

describe('octal literals', () => {
  it('become their decimal value in code', () => {
    expect(luaSourceText('mode = 0o644, x = 0O755\nf(0o7)')).toBe('mode = 420, x = 493\nf(7)');
  });
  it('are left alone in strings, comments, names and other numbers', () => {
    const text = [
      "a = \"0o644\" .. '0o1\\'0o2'",
      '-- 0o644',
      '--[==[ 0o644 ]] 0o1 ]==] b = 0o10',
      's = [[0o644]] .. x0o1 .. t.v0o7',
      'n = 10o7 + 0o8 + 1.0o7',
    ].join('\n');
    expect(luaSourceText(text)).toBe(text.replace('b = 0o10', 'b = 8'));
  });
});
