import type { RunResult, TaskResult } from '@sloth/core';

/** One host's line of the recap: how many of its tasks were ok (changed ones included), changed, failed, skipped. */
export interface HostRecap {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
}

/** The machine that runs the workflow, in the recap. */
export const LOCAL_HOST = 'localhost';

/**
 * Ansible's recap: per host, its tasks by outcome. A delegated task counts on each of its agents; the rest on
 * localhost, and also on each agent a call of theirs changed (`target = ...`). Handlers nothing notified are left out (they were never meant to run).
 */
export function runRecap(result: RunResult): Record<string, HostRecap> {
  const hosts: Record<string, HostRecap> = {};
  const count = (host: string, key: keyof HostRecap) => {
    hosts[host] ??= { ok: 0, changed: 0, failed: 0, skipped: 0 };
    hosts[host][key] += 1;
  };
  for (const t of result.tasks) {
    if (t.skipReason === 'not_notified') continue;
    if (t.agents && Object.keys(t.agents).length > 0) {
      for (const [agent, r] of Object.entries(t.agents)) {
        if (r.status === 'success') count(agent, 'ok');
        else count(agent, 'failed');
        if (r.changed) count(agent, 'changed');
      }
      continue;
    }
    count(LOCAL_HOST, outcome(t));
    // Calls made on agents (`target = ...`) changed those hosts: the task counts there too, changed.
    const elsewhere = new Set((t.changes ?? []).flatMap((c) => (c.host ? [c.host] : [])));
    if (t.changed && (elsewhere.size === 0 || t.changes?.some((c) => !c.host))) count(LOCAL_HOST, 'changed');
    for (const host of elsewhere) {
      count(host, outcome(t));
      count(host, 'changed');
    }
  }
  return hosts;
}

function outcome(t: TaskResult): keyof HostRecap {
  if (t.status === 'success') return 'ok';
  return t.status === 'skipped' ? 'skipped' : 'failed';
}

/** The recap as text: one `host : ok=N changed=N failed=N skipped=N` line per host, names aligned. */
export function formatRecap(recap: Record<string, HostRecap>): string[] {
  const width = Math.max(0, ...Object.keys(recap).map((h) => h.length));
  return Object.entries(recap).map(
    ([host, r]) => `${host.padEnd(width)} : ok=${r.ok} changed=${r.changed} failed=${r.failed} skipped=${r.skipped}`,
  );
}
