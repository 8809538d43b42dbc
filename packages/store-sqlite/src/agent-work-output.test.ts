import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearSecrets, registerSecret } from '@sloth/core/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { agentRepo } from './agent-repo.js';
import { openStore, type Store } from './open-store.js';
import { keepTail, WORK_OUTPUT_TAIL } from './work-output-tail.js';

const stores: Store[] = [];
afterEach(() => {
  clearSecrets();
  for (const s of stores.splice(0)) s.close();
});

function fresh(): Store {
  const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-work-output-')));
  stores.push(store);
  return store;
}

const work = (id: string, agent = 'web-1', createdAt = 1000) => ({
  id,
  agent,
  kind: 'command' as const,
  what: 'make',
  createdAt,
  deadline: null,
});

describe("agent work's output tail", () => {
  it('keeps what a piece of work printed, chunk after chunk, read back from another connection', () => {
    const store = fresh();
    const repo = agentRepo(store);
    repo.addWork(work('w1'));
    expect(repo.workOutput('w1')).toEqual({ text: '', chars: 0 });
    repo.appendWorkOutput([{ id: 'w1', text: 'one\n', skipped: 0, seq: 1 }]);
    repo.appendWorkOutput([
      { id: 'w1', text: 'two\n', skipped: 0, seq: 2 },
      { id: 'unknown', text: 'lost\n', skipped: 0, seq: 1 },
    ]);
    const other = openStore(store.dataDir);
    stores.push(other);
    expect(agentRepo(other).workOutput('w1')).toEqual({ text: 'one\ntwo\n', chars: 8 });
    expect(agentRepo(other).getWork('w1')).toMatchObject({ outputChars: 8, outputSeq: 2, status: 'pending' });
    expect(agentRepo(other).workOutput('unknown')).toBeUndefined();
  });

  it('keeps only the last WORK_OUTPUT_TAIL characters, starting at a line, and counts all that was printed', () => {
    const repo = agentRepo(fresh());
    repo.addWork(work('w1'));
    const line = `${'x'.repeat(99)}\n`;
    // 1,000 lines of 100 characters: far past the bound, in chunks of 100 lines.
    for (let i = 0; i < 10; i++) repo.appendWorkOutput([{ id: 'w1', text: line.repeat(100), skipped: 0, seq: i + 1 }]);
    // A buffer that overflowed before it reached the store: what it dropped is counted.
    repo.appendWorkOutput([{ id: 'w1', text: 'last\n', skipped: 500, seq: 11 }]);
    const out = repo.workOutput('w1');
    expect(out?.chars).toBe(100_000 + 500 + 5);
    expect(out?.text.length).toBeLessThanOrEqual(WORK_OUTPUT_TAIL);
    expect(out?.text.length).toBeGreaterThan(WORK_OUTPUT_TAIL - 100);
    expect(out?.text.startsWith(line)).toBe(true);
    expect(out?.text.endsWith(`${line}last\n`)).toBe(true);
  });

  it('cuts a line longer than the bound anywhere but inside a surrogate pair', () => {
    expect(keepTail('ab\ncdef', 4)).toBe('cdef');
    expect(keepTail('abcdefgh', 3)).toBe('fgh');
    // "😀" is two UTF-16 units: a cut between them keeps neither half.
    expect(keepTail('a😀b', 2)).toBe('b');
    expect(keepTail('a😀b', 3)).toBe('😀b');
  });

  it('masks the secrets this process read before keeping the output', () => {
    const repo = agentRepo(fresh());
    repo.addWork(work('w1'));
    registerSecret('hunter2-password');
    repo.appendWorkOutput([{ id: 'w1', text: 'login with hunter2-password\n', skipped: 0, seq: 1 }]);
    expect(repo.workOutput('w1')?.text).toBe('login with ***\n');
  });

  it("lists an agent's work newest first, and forgets finished work with its output when pruned", () => {
    const repo = agentRepo(fresh());
    repo.addWork(work('old', 'web-1', 1000));
    repo.addWork(work('new', 'web-1', 2000));
    repo.addWork(work('running', 'web-1', 3000));
    repo.addWork(work('elsewhere', 'db-1', 4000));
    repo.appendWorkOutput([
      { id: 'old', text: 'old output\n', skipped: 0, seq: 1 },
      { id: 'running', text: 'still going\n', skipped: 0, seq: 1 },
    ]);
    repo.finishWork('old', { status: 'success', exitCode: 0, durationMs: 5 }, 1500);
    repo.finishWork('new', { status: 'failed', exitCode: 2, error: 'exit code 2', durationMs: 5 }, 2500);
    expect(repo.listWork('web-1', 10).map((w) => [w.id, w.status, w.exitCode])).toEqual([
      ['running', 'pending', null],
      ['new', 'failed', 2],
      ['old', 'success', 0],
    ]);
    expect(repo.listWork('web-1', 1).map((w) => w.id)).toEqual(['running']);
    expect(repo.pruneWork(2000)).toBe(1);
    expect(repo.workOutput('old')).toBeUndefined();
    expect(repo.listWork('web-1', 10).map((w) => w.id)).toEqual(['running', 'new']);
    // Pending work is never pruned, whatever its age: its output stays.
    expect(repo.pruneWork(10_000)).toBe(1);
    expect(repo.workOutput('running')).toEqual({ text: 'still going\n', chars: 12 });
  });
});
