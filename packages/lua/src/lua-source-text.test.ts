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
