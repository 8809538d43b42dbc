import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIT_RETENTION_MS, auditRepo } from './audit-repo.js';
import { openStore, type Store } from './open-store.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('AuditRepo', () => {
  it('keeps each action with who, what, when and its result, newest first, read back from another connection', () => {
    const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-audit-')));
    stores.push(store);
    const repo = auditRepo(store);
    repo.add({ at: 1000, actor: 'session a1 from 127.0.0.1', action: 'hook.disable', target: 'h', result: 'ok', detail: null });
    repo.add({
      at: 2000,
      actor: 'session a1 from 127.0.0.1',
      action: 'hook.enable',
      target: 'x',
      result: 'failed',
      detail: 'no hook named x',
    });
    const other = openStore(store.dataDir);
    stores.push(other);
    expect(auditRepo(other).latest(10)).toEqual([
      {
        id: 2,
        at: 2000,
        actor: 'session a1 from 127.0.0.1',
        action: 'hook.enable',
        target: 'x',
        result: 'failed',
        detail: 'no hook named x',
      },
      { id: 1, at: 1000, actor: 'session a1 from 127.0.0.1', action: 'hook.disable', target: 'h', result: 'ok', detail: null },
    ]);
    expect(auditRepo(other).latest(1)).toHaveLength(1);
  });

  it('keeps a year: a new entry forgets those more than a year older than itself, and only those', () => {
    const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-audit-')));
    stores.push(store);
    const repo = auditRepo(store);
    const entry = (at: number, target: string) =>
      repo.add({ at, actor: 'session a1 from 127.0.0.1', action: 'stack.delete', target, result: 'ok', detail: null });
    const now = Date.UTC(2026, 11, 5);
    entry(now - AUDIT_RETENTION_MS - 1, 'too old');
    entry(now - AUDIT_RETENTION_MS, 'a year to the millisecond');
    entry(now - 1000, 'recent');
    expect(repo.latest(10).map((r) => r.target)).toEqual(['recent', 'a year to the millisecond', 'too old']);
    entry(now, 'new');
    expect(repo.latest(10).map((r) => r.target)).toEqual(['new', 'recent', 'a year to the millisecond']);
  });
});
