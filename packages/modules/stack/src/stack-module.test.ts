import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ModuleCallContext, MultipleReturns } from '@sloth/core';
import { registerSecret } from '@sloth/core/internal';
import { call as callModule, testContext } from '@sloth/core/testing';
import { beginStackRun, openStore, type Store, stackRepo } from '@sloth/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { stackModule } from './stack-module.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const context = (services: ModuleCallContext['services']) => testContext({ services }).ctx;
const call = (name: string, args: unknown[], ctx: ModuleCallContext) => callModule(stackModule, name, args, ctx);

async function withRun() {
  const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-stack-mod-')));
  stores.push(store);
  const run = await beginStackRun(store, { stack: 'production', workflow: 'wf' });
  return { run, ctx: context({ stacks: stackRepo(store), stack: run.binding }) };
}

describe('stack module', () => {
  it('register_resource returns status and resource; update, get, exists, delete', async () => {
    const { ctx } = await withRun();
    const spec = { type: 'database', name: 'pg', module: 'terraform', properties: { engine: 'postgres' } };
    const first = (await call('register_resource', [spec], ctx)) as MultipleReturns;
    expect(first).toBeInstanceOf(MultipleReturns);
    expect(first.values[0]).toBe('created');
    expect(first.values[1]).toMatchObject({ type: 'database', name: 'pg', properties: { engine: 'postgres' } });
    expect(((await call('register_resource', [spec], ctx)) as MultipleReturns).values[0]).toBe('unchanged');
    expect(await call('update_resource', ['database', 'pg', { state: 'applied' }], ctx)).toMatchObject({
      attributes: { state: 'applied' },
    });
    expect(await call('get_resource', ['database', 'pg'], ctx)).toMatchObject({ attributes: { state: 'applied' } });
    expect(await call('resource_exists', ['database', 'pg'], ctx)).toBe(true);
    expect(await call('delete_resource', ['database', 'pg'], ctx)).toBe(true);
    expect(await call('resource_exists', ['database', 'pg'], ctx)).toBe(false);
    expect(await call('get_resource', ['database', 'pg'], ctx)).toBeUndefined();
  });

  it('outputs, name and id', async () => {
    const { ctx, run } = await withRun();
    await call('set_output', ['db_endpoint', 'postgres-prod.example.com'], ctx);
    expect(await call('get_output', ['db_endpoint'], ctx)).toBe('postgres-prod.example.com');
    expect(await call('get_output', ['nope'], ctx)).toBeUndefined();
    expect(await call('get_name', [], ctx)).toBe('production');
    expect(await call('get_id', [], ctx)).toBe(run.stack.id);
  });

  it('records a secret value (read with secret.get) as ***, in properties, attributes and outputs, even inside a longer string', async () => {
    const { ctx, run } = await withRun();
    const release = registerSecret('s3cr3t-pw');
    try {
      const spec = { type: 'database', name: 'pg', properties: { password: 's3cr3t-pw', host: 'db1', nested: ['x s3cr3t-pw'] } };
      const [, resource] = ((await call('register_resource', [spec], ctx)) as MultipleReturns).values;
      expect(resource).toMatchObject({ properties: { password: '***', host: 'db1', nested: ['x ***'] } });
      await call('update_resource', ['database', 'pg', { dsn: 'postgres://app:s3cr3t-pw@db1/app' }], ctx);
      await call('set_output', ['dsn', 'postgres://app:s3cr3t-pw@db1/app'], ctx);
      await call('set_output', ['creds', { user: 'app', password: 's3cr3t-pw' }], ctx);
      // What is stored, read back from the store as `stack show` and `stack export` read it.
      const repo = stackRepo(stores[0] as Store);
      const stored = JSON.stringify([
        await repo.getResource(run.stack.id, 'database', 'pg'),
        await repo.getOutput(run.stack.id, 'dsn'),
        await repo.getOutput(run.stack.id, 'creds'),
      ]);
      expect(stored).not.toContain('s3cr3t-pw');
      expect(stored).toContain('postgres://app:***@db1/app');
      expect(stored).toContain('"password":"***"');
    } finally {
      release();
    }
  });

  it('without a stack binding, says how to get one', async () => {
    await expect(call('get_name', [], context(undefined))).rejects.toThrow(/stack.get_name: this run has no stack/);
  });

  it('names the bad argument', async () => {
    const { ctx } = await withRun();
    await expect(call('register_resource', [{ name: 'x' }], ctx)).rejects.toThrow(/argument #1 \(resource\) field 'type'/);
  });
});

describe('stack module events', () => {
  it('dispatches stack.resource_created, _changed and _deleted when the run has an event queue', async () => {
    const { run, ctx } = await withRun();
    const sent: { type: string; data: Record<string, unknown>; stack: string | undefined }[] = [];
    ctx.services = {
      ...ctx.services,
      events: {
        dispatch: (type, data, meta) => {
          sent.push({ type, data, stack: meta?.stack });
          return String(sent.length);
        },
      },
    };
    const spec = { type: 'database', name: 'pg', properties: { password: 'hunter2' } };
    await call('register_resource', [spec], ctx);
    await call('register_resource', [spec], ctx);
    await call('register_resource', [{ ...spec, properties: { password: 'changed' } }], ctx);
    await call('delete_resource', ['database', 'pg'], ctx);
    await call('delete_resource', ['database', 'pg'], ctx);
    expect(sent.map((e) => e.type)).toEqual(['stack.resource_created', 'stack.resource_changed', 'stack.resource_deleted']);
    expect(sent[0]).toMatchObject({
      stack: 'production',
      data: { stack: 'production', execution_id: run.execution.id, resource: { type: 'database', name: 'pg' } },
    });
    // Properties may hold secrets: they never travel in events.
    expect(JSON.stringify(sent)).not.toContain('hunter2');
  });
});
