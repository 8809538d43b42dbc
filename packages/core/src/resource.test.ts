import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SlothError } from './errors.js';
import { z } from './module-sdk.js';
import { testContext } from './module-testing.js';
import { changeResult, converge, defineResource, diffState } from './resource.js';

// A resource over a real directory: a "setting" is a file named after it holding its value.
const applied: string[] = [];
const setting = defineResource({
  type: 'setting',
  desired: z.object({ value: z.string() }),
  async read(ctx, name) {
    const info = await ctx.host.stat(name);
    return info ? { value: (await ctx.host.readFile(name)).toString('utf8'), size: info.size } : undefined;
  },
  async apply(ctx, name, changes, desired) {
    applied.push(`${name}: ${Object.keys(changes).join(',')}`);
    await ctx.host.writeFile(name, desired.value, { makeParents: true });
  },
});

const dir = () => mkdtempSync(join(tmpdir(), 'sloth-resource-'));

describe('diffState', () => {
  it('lists each desired property whose actual value differs, with old and new', () => {
    expect(diffState({ a: 1, b: 'x', c: [1, { d: 2 }] }, { a: 1, b: 'y', c: [1, { d: 2 }], other: true })).toEqual({
      b: { old: 'y', new: 'x' },
    });
    expect(diffState({ c: [1, { d: 2 }] }, { c: [1, { d: 3 }] })).toEqual({ c: { old: [1, { d: 3 }], new: [1, { d: 2 }] } });
  });

  it('compares with nothing when the resource does not exist, and leaves out properties the desired state omits', () => {
    expect(diffState({ a: 1, b: undefined }, undefined)).toEqual({ a: { old: undefined, new: 1 } });
    expect(diffState({}, undefined)).toEqual({});
  });
});

describe('converge', () => {
  it('applies what differs, reports it, and then finds nothing to do', async () => {
    const { ctx, resources } = testContext({ workdir: dir() });
    applied.length = 0;
    const first = await converge(setting, 'conf/mode', { value: 'fast' }, ctx);
    expect(first).toEqual({
      type: 'setting',
      name: 'conf/mode',
      fn: '',
      changed: true,
      changes: { value: { old: undefined, new: 'fast' } },
      checkMode: false,
    });
    expect(readFileSync(join(ctx.workdir, 'conf/mode'), 'utf8')).toBe('fast');
    const second = await converge(setting, 'conf/mode', { value: 'fast' }, ctx);
    expect(second.changed).toBe(false);
    expect(second.changes).toEqual({});
    const third = await converge(setting, 'conf/mode', { value: 'slow' }, ctx);
    expect(third.changes).toEqual({ value: { old: 'fast', new: 'slow' } });
    expect(applied).toEqual(['conf/mode: value', 'conf/mode: value']);
    expect(resources.map((r) => r.changed)).toEqual([true, false, true]);
  });

  it('in check mode reports what would change and changes nothing', async () => {
    const workdir = dir();
    writeFileSync(join(workdir, 'mode'), 'fast');
    utimesSync(join(workdir, 'mode'), 1_000_000, 1_000_000);
    const { ctx, resources } = testContext({ workdir, checkMode: true });
    applied.length = 0;
    const outcome = await converge(setting, 'mode', { value: 'slow' }, ctx);
    expect(outcome).toMatchObject({ changed: true, changes: { value: { old: 'fast', new: 'slow' } }, checkMode: true });
    expect(applied).toEqual([]);
    expect(readFileSync(join(workdir, 'mode'), 'utf8')).toBe('fast');
    expect(statSync(join(workdir, 'mode')).mtimeMs).toBe(1_000_000_000);
    expect(resources).toHaveLength(1);
  });

  it('refuses a desired state its schema rejects, naming the function and the resource', async () => {
    const { ctx } = testContext({ workdir: dir() });
    const err = await converge(setting, 'mode', { value: 3 } as never, { ...ctx, fn: 'conf.set' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlothError);
    expect((err as SlothError).code).toBe('invalid_argument');
    expect((err as SlothError).message).toMatch(/^conf\.set: setting 'mode': field 'value' /);
  });

  it('an apply that fails raises, and nothing is reported', async () => {
    const workdir = dir();
    writeFileSync(join(workdir, 'file'), 'x');
    const { ctx, resources } = testContext({ workdir });
    // A parent that is a file: making it a directory fails with the OS's error.
    await expect(converge(setting, 'file/mode', { value: 'fast' }, ctx)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(resources).toEqual([]);
  });
});

// The same setting with its value as text content, recorded in the stack by its length only.
const textSetting = defineResource({
  ...setting,
  content: (desired, actual) => ({ before: actual?.value, after: desired.value }),
  record: (name, desired) => ({ path: name, length: desired.value.length }),
});

describe('converge: diffs and stack records', () => {
  it('diffs the content of a change, records the resource, and returns the change contract', async () => {
    const workdir = dir();
    writeFileSync(join(workdir, 'mode'), 'fast\n');
    const { ctx } = testContext({ workdir });
    const outcome = await converge(textSetting, 'mode', { value: 'slow\n' }, { ...ctx, fn: 'conf.set' });
    expect(outcome.diff).toBe('--- before: mode\n+++ after: mode\n@@ -1,1 +1,1 @@\n-fast\n+slow\n');
    expect(outcome.record).toEqual({ path: 'mode', length: 5 });
    expect(changeResult(outcome, { path: 'mode' })).toEqual({
      changed: true,
      changes: { value: { old: 'fast\n', new: 'slow\n' } },
      diff: outcome.diff,
      diff_skipped: undefined,
      check_mode: false,
      path: 'mode',
    });
    const again = await converge(textSetting, 'mode', { value: 'slow\n' }, ctx);
    expect(again).toMatchObject({ changed: false, record: { path: 'mode', length: 5 } });
    expect(again.diff).toBeUndefined();
  });

  it('hides the diff when the call says so, and records nothing in check mode', async () => {
    const workdir = dir();
    const { ctx } = testContext({ workdir, checkMode: true });
    const outcome = await converge(textSetting, 'secret', { value: 'hunter2' }, ctx, { diff: false });
    expect(outcome).toMatchObject({ changed: true, diffSkipped: 'hidden (diff = false)' });
    expect(outcome.diff).toBeUndefined();
    expect(outcome.record).toBeUndefined();
    expect(JSON.stringify(outcome.diffSkipped)).not.toContain('hunter2');
  });
});

describe('the local host', () => {
  it('refuses to write in check mode', async () => {
    const workdir = dir();
    const { ctx } = testContext({ workdir, checkMode: true });
    await expect(ctx.host.writeFile('x', 'y')).rejects.toMatchObject({ code: 'internal' });
    expect(await ctx.host.stat('x')).toBeUndefined();
  });

  it('runs commands in the task workdir with its environment, and stops them with the task', async () => {
    const workdir = dir();
    const controller = new AbortController();
    const { ctx } = testContext({ workdir, signal: controller.signal });
    const r = await ctx.host.run('pwd; echo "$SLOTH_HOST_TEST"', { env: { ...ctx.env, SLOTH_HOST_TEST: 'yes' } });
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([workdir, 'yes']);
    const running = ctx.host.run(['sleep', '30']);
    controller.abort();
    const stopped = await running;
    expect(stopped.aborted).toBe(true);
  });

  it('stats files and directories, and says undefined for what does not exist', async () => {
    const workdir = dir();
    writeFileSync(join(workdir, 'f'), 'abc', { mode: 0o640 });
    const { ctx } = testContext({ workdir });
    expect(await ctx.host.stat('f')).toMatchObject({ type: 'file', size: 3, mode: 0o640 });
    expect(await ctx.host.stat('.')).toMatchObject({ type: 'directory' });
    expect(await ctx.host.stat('missing')).toBeUndefined();
    expect(await ctx.host.stat('f/below')).toBeUndefined();
  });
});
