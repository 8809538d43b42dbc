import { rm } from 'node:fs/promises';
import type { WorkflowFile } from '@sloth/lua';
import type { GivenSecrets } from './given-secrets.js';

/** A workflow file loaded for the tasks of one run, and the temp directory its files were written to. */
export interface LoadedRun {
  file: WorkflowFile;
  dir: string;
  /** Where the file's own log lines (top-level prints, Task:run() outside a task) go: the latest task of the run. */
  log: { current: (level: string, text: string) => void };
  /** The secrets sent with the run's tasks, held while one of them runs. */
  secrets: GivenSecrets;
}

interface Entry {
  loaded: Promise<LoadedRun>;
  users: number;
  lastUsed: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The workflow files an agent loaded for delegated tasks, one per run (and per copy of its files, params and values):
 * the tasks of a run share one Lua state here as they do on the machine that runs the workflow, and every task after
 * the first skips writing, loading and binding the file. A run's file is closed once no task of it has run for
 * `idleMs`, or when more than `max` runs are kept.
 */
export class LoadedRuns {
  private readonly runs = new Map<string, Entry>();

  constructor(
    private readonly idleMs = 60_000,
    private readonly max = 8,
  ) {}

  /** The run's loaded file, loading it with `load` the first time; give it back with release(key). */
  async acquire(key: string, load: () => Promise<LoadedRun>): Promise<LoadedRun> {
    let entry = this.runs.get(key);
    if (!entry) {
      entry = { loaded: load(), users: 0, lastUsed: Date.now(), timer: undefined };
      this.runs.set(key, entry);
      const e = entry;
      // A file that failed to load is not kept: the next task of the run tries again (and reports its own error).
      e.loaded.catch(() => {
        if (this.runs.get(key) === e) this.runs.delete(key);
      });
    }
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.users += 1;
    try {
      return await entry.loaded;
    } catch (err) {
      entry.users -= 1;
      throw err;
    }
  }

  /** A task of the run is done with its file. */
  release(key: string): void {
    const entry = this.runs.get(key);
    if (!entry) return;
    entry.users -= 1;
    entry.lastUsed = Date.now();
    if (entry.users === 0) {
      entry.timer = setTimeout(() => void this.evict(key), this.idleMs);
      entry.timer.unref();
    }
    this.trim();
  }

  /** Closes every file (the agent stops). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((key) => this.evict(key)));
  }

  /** How many runs are kept. */
  get size(): number {
    return this.runs.size;
  }

  /** Over `max`: the idle runs used longest ago go first. */
  private trim(): void {
    const idle = [...this.runs.entries()].filter(([, e]) => e.users === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key] of idle.slice(0, Math.max(0, this.runs.size - this.max))) void this.evict(key);
  }

  private async evict(key: string): Promise<void> {
    const entry = this.runs.get(key);
    if (!entry) return;
    this.runs.delete(key);
    clearTimeout(entry.timer);
    try {
      const { file, dir } = await entry.loaded;
      file.close();
      await rm(dir, { recursive: true, force: true });
    } catch {
      // It never loaded: nothing to close (its directory was removed when loading failed).
    }
  }
}
