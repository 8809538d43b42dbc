import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './open-store.js';
import { deleteIdleStack, importStackJson, stackExportJson } from './stack-admin.js';
import { stackRepo } from './stack-repo.js';
import { beginStackRun } from './stack-run.js';

const stores: Store[] = [];
function fresh(): Store {
  const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-stack-admin-')));
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('stack administration (the CLI and the dashboard)', () => {
  it('refuses to delete a stack a run holds, naming the run, then deletes it once the run ended', async () => {
    const store = fresh();
    const run = await beginStackRun(store, { stack: 'prod', workflow: 'wf' });
    expect(() => deleteIdleStack(store, 'prod')).toThrow(/^stack 'prod' is in use by a run: .*pid/);
    run.finish('success', {});
    deleteIdleStack(store, 'prod');
    expect(stackRepo(store).listStacks()).toEqual([]);
    expect(() => deleteIdleStack(store, 'prod')).toThrow("stack 'prod' not found");
  });

  it('imports the text of an export; a text that is not JSON names its source', () => {
    const store = fresh();
    stackRepo(store).createStack('prod', 'production');
    const text = stackExportJson(store, 'prod');
    expect(importStackJson(store, text, 'prod.json', { as: 'copy' }).name).toBe('copy');
    expect(() => importStackJson(store, text.slice(0, 20), 'prod.json')).toThrow(/^prod\.json is not JSON: /);
  });
});
