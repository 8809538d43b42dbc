import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventRepo, openStore, type Store } from '@sloth/store-sqlite';

/** Opens a data directory's store for one look and closes it (the CLI processes keep their own). */
export function peek<T>(home: string, fn: (store: Store) => T): T {
  const store = openStore(home);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** How many events of a type pattern are in each status. */
export function statusCounts(home: string, typeLike = '%'): Record<string, number> {
  return peek(home, (store) => {
    const rows = store.sqlite
      .prepare('SELECT status, count(*) AS n FROM events WHERE type LIKE ? GROUP BY status')
      .all(typeLike) as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  });
}

/** The events of a type, oldest first, with their hook executions. */
export function eventsOf(home: string, type: string) {
  return peek(home, (store) => {
    const repo = eventRepo(store);
    return repo
      .list({ type, limit: 1_000_000 })
      .reverse()
      .map((e) => ({ ...e, executions: repo.executionsOf(e.id) }));
  });
}

/** Writes a hook file: `execute` is the body of hook.execute(event). */
export function writeHook(dir: string, file: string, name: string, eventType: string, execute: string, extra = ''): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    `local hook = { name = "${name}", event_type = "${eventType}"${extra} }
function hook.execute(event)
${execute}
end
return hook
`,
  );
  return path;
}
