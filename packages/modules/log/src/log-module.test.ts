import { SlothError } from '@sloth/core';
import { call, testContext } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { logModule } from './log-module.js';

describe('log module', () => {
  it('writes each level with its message and fields', async () => {
    const { ctx, lines } = testContext();
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      expect(await call(logModule, level, [`${level} line`, { host: 'web-01' }], ctx)).toBeUndefined();
    }
    expect(lines.map((l) => [l.level, l.message, l.fields])).toEqual([
      ['debug', 'debug line', { host: 'web-01' }],
      ['info', 'info line', { host: 'web-01' }],
      ['warn', 'warn line', { host: 'web-01' }],
      ['error', 'error line', { host: 'web-01' }],
    ]);
  });

  it('renders non-string values like tostring and tables as compact JSON', async () => {
    const { ctx, lines } = testContext();
    const values = [42, 1.5, true, undefined, Number.NaN, -Infinity, { a: 1, b: [1, 2], c: [] }, [], () => 1];
    for (const v of values) await call(logModule, 'info', [v], ctx);
    expect(lines.map((l) => l.message)).toEqual([
      '42',
      '1.5',
      'true',
      'nil',
      'nan',
      '-inf',
      '{"a":1,"b":[1,2],"c":{}}',
      '{}',
      'function',
    ]);
  });

  it('accepts an empty fields table that arrived as a list, and makes fields JSON-safe', async () => {
    const { ctx, lines } = testContext();
    await call(logModule, 'warn', ['x', []], ctx);
    await call(logModule, 'warn', ['y', { fn: () => 1, n: Number.POSITIVE_INFINITY, empty: [] }], ctx);
    expect(lines[0]?.fields).toEqual({});
    expect(lines[1]?.fields).toEqual({ fn: 'function', n: 'inf', empty: {} });
  });

  it('rejects fields that are not a table of name = value pairs', async () => {
    const { ctx } = testContext();
    await expect(call(logModule, 'info', ['x', 'oops'], ctx)).rejects.toThrow(
      'log.info: argument #2 (fields): expected table, got string',
    );
    const err = await call(logModule, 'info', ['x', [1, 2]], ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlothError);
    expect((err as SlothError).code).toBe('invalid_argument');
    expect((err as SlothError).message).toBe(
      'log.info: argument #2 (fields): expected a table of name = value pairs, got a list',
    );
    expect((err as SlothError).hint).toBe('usage: log.info(message?, fields?)');
  });
});
