import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerSecret } from '@sloth/core/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './open-store.js';
import { canonicalJson, propertiesHash, stackRepo } from './stack-repo.js';

const stores: Store[] = [];
function fresh(): Store {
  const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-stack-')));
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('canonical hash', () => {
  it('ignores key order at every level and sees every value', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 2 } })).toBe('{"a":{"c":2,"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(propertiesHash({ a: 1, b: 2 })).toBe(propertiesHash({ b: 2, a: 1 }));
    expect(propertiesHash({ a: 1 })).not.toBe(propertiesHash({ a: '1' }));
  });
});

describe('StackRepo', () => {
  it('registers created, then unchanged, then changed; each change checkpointed', () => {
    const repo = stackRepo(fresh());
    const stack = repo.createStack('prod', 'production');
    const e1 = repo.insertExecution(stack.id, 'wf');
    const input = { type: 'database', name: 'pg', module: 'terraform', properties: { engine: 'postgres', v: '14' } };
    expect(repo.registerResource(stack.id, e1.id, input).status).toBe('created');
    expect(repo.registerResource(stack.id, e1.id, { ...input, properties: { v: '14', engine: 'postgres' } }).status).toBe(
      'unchanged',
    );
    const changed = repo.registerResource(stack.id, e1.id, { ...input, properties: { engine: 'postgres', v: '15' } });
    expect(changed.status).toBe('changed');
    expect(changed.resource.properties).toEqual({ engine: 'postgres', v: '15' });
    expect(repo.changes(e1.id).map((c) => c.action)).toEqual(['created', 'unchanged', 'changed']);
    expect(repo.execution(e1.id)?.changes).toEqual({ created: 1, changed: 1, unchanged: 1, deleted: 0 });
  });

  it('merges attributes, deletes, and reports orphans of earlier executions', () => {
    const repo = stackRepo(fresh());
    const stack = repo.ensureStack('s');
    const e1 = repo.insertExecution(stack.id, 'wf');
    repo.registerResource(stack.id, e1.id, { type: 't', name: 'a' });
    repo.registerResource(stack.id, e1.id, { type: 't', name: 'b' });
    expect(repo.updateResource(stack.id, 't', 'a', { state: 'applied' }).attributes).toEqual({ state: 'applied' });
    expect(repo.updateResource(stack.id, 't', 'a', { n: 1 }).attributes).toEqual({ state: 'applied', n: 1 });
    expect(() => repo.updateResource(stack.id, 't', 'zz', {})).toThrow(/not in the stack/);
    const e2 = repo.insertExecution(stack.id, 'wf');
    repo.registerResource(stack.id, e2.id, { type: 't', name: 'a' });
    expect(repo.orphans(stack.id, e2.id).map((r) => r.name)).toEqual(['b']);
    expect(repo.deleteResource(stack.id, e2.id, 't', 'b')).toBe(true);
    expect(repo.deleteResource(stack.id, e2.id, 't', 'b')).toBe(false);
    expect(repo.resources(stack.id).map((r) => r.name)).toEqual(['a']);
    expect(repo.execution(e2.id)?.changes.deleted).toBe(1);
  });

  it('keeps outputs on the stack and in the execution that set them', () => {
    const repo = stackRepo(fresh());
    const stack = repo.ensureStack('s');
    const e1 = repo.insertExecution(stack.id, 'wf');
    repo.setOutput(stack.id, e1.id, 'endpoint', 'db.example.com');
    repo.setOutput(stack.id, e1.id, 'ports', [5432]);
    expect(repo.getOutput(stack.id, 'endpoint')).toBe('db.example.com');
    expect(repo.getOutput(stack.id, 'missing')).toBeUndefined();
    expect(repo.outputs(stack.id)).toEqual({ endpoint: 'db.example.com', ports: [5432] });
    expect(repo.execution(e1.id)?.outputs).toEqual({ endpoint: 'db.example.com', ports: [5432] });
  });

  it("masks a secret this process read in a run's error, as in its outputs", () => {
    const repo = stackRepo(fresh());
    const stack = repo.ensureStack('s');
    const e = repo.insertExecution(stack.id, 'wf');
    const forget = registerSecret('hunter2-token');
    try {
      repo.finishExecution(e.id, 'failed', { total: 1, failed: 1 }, 'login with hunter2-token refused');
    } finally {
      forget();
    }
    expect(repo.execution(e.id)?.error).toBe('login with *** refused');
  });

  it('refuses a taken or invalid stack name and names what to do', () => {
    const repo = stackRepo(fresh());
    repo.createStack('a');
    expect(() => repo.createStack('a')).toThrow(/already exists/);
    expect(() => repo.createStack('-bad')).toThrow(/invalid stack name/);
    expect(() => repo.getStack('nope')).toThrow(/stack 'nope' not found/);
  });

  it('exports and imports a stack: same content, into another store or next to the original', () => {
    const source = stackRepo(fresh());
    const stack = source.createStack('prod', 'p');
    const e1 = source.insertExecution(stack.id, 'wf');
    source.registerResource(stack.id, e1.id, { type: 'file', name: 'motd', module: 'fs', properties: { path: '/x' } });
    source.updateResource(stack.id, 'file', 'motd', { state: 'applied' });
    source.setOutput(stack.id, e1.id, 'k', { v: 1 });
    source.finishExecution(e1.id, 'success', { total: 1, success: 1 });
    const doc = JSON.parse(JSON.stringify(source.exportStack('prod')));
    expect(doc).toMatchObject({ format: 'sloth-stack', version: 1 });

    const target = stackRepo(fresh());
    const imported = target.importStack(doc);
    expect(imported.id).toBe(stack.id);
    const again = target.exportStack('prod');
    expect({ ...again, exportedAt: '' }).toEqual({ ...doc, exportedAt: '' });

    expect(() => source.importStack(doc)).toThrow(/already exists/);
    const copy = source.importStack(doc, { as: 'prod-copy' });
    expect(copy.id).not.toBe(stack.id);
    expect(source.resources(copy.id)[0]?.attributes).toEqual({ state: 'applied' });
    expect(source.executions(copy.id)[0]?.changes.created).toBe(1);
    expect(() => source.importStack({ format: 'x' })).toThrow(/not a stack export/);
    expect(() => source.importStack({ ...doc, version: 9 })).toThrow(/version 9/);
  });

  it('deleting a stack removes everything recorded for it', () => {
    const store = fresh();
    const repo = stackRepo(store);
    const stack = repo.ensureStack('gone');
    const e = repo.insertExecution(stack.id, 'wf');
    repo.registerResource(stack.id, e.id, { type: 't', name: 'a' });
    expect(repo.deleteStack('gone')).toBe(true);
    expect(repo.deleteStack('gone')).toBe(false);
    expect(store.sqlite.prepare('SELECT COUNT(*) AS n FROM resource_changes').get()).toEqual({ n: 0 });
  });
});
