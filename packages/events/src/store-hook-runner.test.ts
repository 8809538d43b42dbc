import { builtinModules } from '@sloth/builtin-modules';
import { arg, defineModule, fn, z } from '@sloth/core';
import { describe, expect, it } from 'vitest';
import { addHook, hookSource, useStores } from './events.test-helper.js';
import { storeHookRunner } from './store-hook-runner.js';

const { fresh } = useStores();

// A module that is not built in (a plugin's): hooks get the modules they are given, not a fixed list.
const greetModule = defineModule({
  name: 'greet',
  doc: 'Greets people (a test plugin).',
  functions: {
    hello: fn({
      doc: 'Says hello.',
      args: [arg('name', z.string())],
      returns: 'string',
      examples: ['greet.hello("sloth")'],
      run: ([name], ctx) => `hello ${name} from ${ctx.fn} in ${ctx.task}`,
    }),
  },
});

describe('storeHookRunner', () => {
  it('gives hooks the modules it was given, a plugin module included', async () => {
    const t = fresh();
    const hook = await addHook(
      t.store,
      t.dir,
      'greet.lua',
      hookSource('greeter', 'x.y', 'log.info(greet.hello(event.data.who))'),
    );
    const logs: string[] = [];
    const runner = storeHookRunner(t.store, [...builtinModules, greetModule], (_hook, _level, message) => logs.push(message));
    try {
      const id = t.events.dispatch('x.y', { who: 'sloth' }, { source: 'test' });
      const r = await runner.execute(hook, t.events.find(id) as never, 1);
      expect(r.error).toBeUndefined();
      expect(r.success).toBe(true);
      expect(logs).toEqual(['hello sloth from greet.hello in hook:greeter']);
    } finally {
      await runner.close();
    }
  });

  it('without the module, the hook fails saying so', async () => {
    const t = fresh();
    const hook = await addHook(t.store, t.dir, 'greet.lua', hookSource('greeter', 'x.y', 'log.info(greet.hello("x"))'));
    const runner = storeHookRunner(t.store, builtinModules, () => {});
    try {
      const id = t.events.dispatch('x.y', {}, { source: 'test' });
      const r = await runner.execute(hook, t.events.find(id) as never, 1);
      expect(r.success).toBe(false);
      expect(r.error).toMatch(/greet/);
    } finally {
      await runner.close();
    }
  });
});
