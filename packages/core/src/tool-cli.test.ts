import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTool, lastLines, type ToolSpec } from './tool-cli.js';

const TOOL: ToolSpec = { command: 'mytool', envVar: 'SLOTH_MYTOOL_BIN', install: 'https://example.test' };

describe('findTool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-findtool-'));
  const bin = join(dir, 'mytool');
  writeFileSync(bin, '#!/bin/sh\n');
  chmodSync(bin, 0o755);
  writeFileSync(join(dir, 'notexec'), '');

  it('finds the command on PATH, or the path its variable names; undefined when neither runs', () => {
    expect(findTool(TOOL, { PATH: `/nonexistent:${dir}` })).toBe(bin);
    expect(findTool(TOOL, { PATH: '/nonexistent', SLOTH_MYTOOL_BIN: bin })).toBe(bin);
    expect(findTool(TOOL, { PATH: dir, SLOTH_MYTOOL_BIN: join(dir, 'notexec') })).toBeUndefined();
    expect(findTool({ ...TOOL, command: 'notexec' }, { PATH: dir })).toBeUndefined();
    expect(findTool(TOOL, { PATH: '/nonexistent' })).toBeUndefined();
  });
});

describe('lastLines', () => {
  it('keeps the block from the last line matching start, else the last eight lines, without box borders', () => {
    const text = 'Error: first\nprogress\n╷\n│ Error: Unsupported argument\n│   on main.tf line 2\n╵\n';
    expect(lastLines(text, /^\s*Error: /)).toBe('Error: Unsupported argument\non main.tf line 2');
    const many = Array.from({ length: 12 }, (_, i) => `line ${i}`).join('\n');
    expect(lastLines(many)).toBe(Array.from({ length: 8 }, (_, i) => `line ${i + 4}`).join('\n'));
  });
});
