import { arg, fn, luaTable, z } from '@sloth/core/internal';
import { describe, expect, it } from 'vitest';
import { takeTarget } from './module-target.js';

const oneArg = fn({ doc: 'd', returns: 'r', args: [arg('name', z.string())], run: () => undefined });
const withOpts = fn({
  doc: 'd',
  returns: 'r',
  args: [arg('name', z.string()), arg('opts', luaTable(z.object({ now: z.boolean() })).optional())],
  run: () => undefined,
});

describe('takeTarget', () => {
  it('takes target out of the options table and keeps the other options', () => {
    expect(takeTarget('m.f', withOpts, ['nginx', { now: true, target: 'web-01' }])).toEqual({
      agent: 'web-01',
      args: ['nginx', { now: true }],
    });
  });

  it('drops a trailing { target = ... } the function does not declare, keeps an emptied declared one', () => {
    expect(takeTarget('m.f', oneArg, ['nginx', { target: 'web-01' }])).toEqual({ agent: 'web-01', args: ['nginx'] });
    expect(takeTarget('m.f', withOpts, ['nginx', { target: 'web-01' }])).toEqual({ agent: 'web-01', args: ['nginx', {}] });
  });

  it('leaves a call without target alone, and refuses a target that is not an agent name', () => {
    expect(takeTarget('m.f', withOpts, ['nginx', { now: true }])).toBeUndefined();
    expect(takeTarget('m.f', withOpts, [['a', 'b']])).toBeUndefined();
    expect(() => takeTarget('m.f', withOpts, ['nginx', { target: 42 }])).toThrow(
      "m.f: option 'target' must be an agent's name, an inventory host or ssh://user@host, got number",
    );
    expect(() => takeTarget('m.f', withOpts, ['nginx', { target: 'a b' }])).toThrow(/got 'a b'/);
  });
});
