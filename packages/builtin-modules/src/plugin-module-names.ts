import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from '@sloth/core/internal';

/**
 * The names of each plugin's Lua modules and their functions, kept in the plugin data directory: what lets a workflow
 * run know a plugin's modules without importing the plugin's code, which costs a run that does not use them (the
 * plugin's own copy of @sloth/core and zod). Each entry holds a stamp of the plugin's files; a plugin installed again,
 * or a linked one rebuilt, no longer matches and is imported again.
 */
const FILE = 'sloth-module-names.json';
/** Files of a modules directory looked at for the stamp; a plugin with more is always imported. */
const MAX_STAMPED_FILES = 500;

const entry = z.object({ stamp: z.string(), modules: z.array(z.object({ name: z.string(), functions: z.array(z.string()) })) });
const cacheFile = z.record(z.string(), entry);

/** A module of a plugin as the cache knows it. */
export type KnownModule = z.infer<typeof entry>['modules'][number];

function read(dataDir: string): z.infer<typeof cacheFile> {
  try {
    return cacheFile.parse(JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')));
  } catch {
    return {}; // none yet, or unreadable: the plugins are imported and it is written again
  }
}

/** Directories the stamp does not look into: what a plugin's dependencies hold changes with them, not with it. */
const SKIPPED = new Set(['node_modules', '.git']);

/**
 * What the plugin's files look like now: its version, and the size and time of every file and directory under its
 * modules file's directory (its dependencies left out). Undefined when it cannot tell (too many files, one unreadable):
 * the plugin is then imported every time.
 */
export function pluginStamp(root: string, version: unknown, modulesFile: string): string | undefined {
  const dir = dirname(modulesFile);
  const files: string[] = [];
  const walk = (rel: string): boolean => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      if (SKIPPED.has(entry.name)) continue;
      if (files.length >= MAX_STAMPED_FILES) return false;
      const path = rel === '' ? entry.name : join(rel, entry.name);
      const s = statSync(join(dir, path));
      files.push(`${path}:${s.size}:${s.mtimeMs}`);
      if (entry.isDirectory() && !walk(path)) return false;
    }
    return true;
  };
  try {
    if (!walk('')) return undefined;
  } catch {
    return undefined;
  }
  return JSON.stringify([root, version, modulesFile, files.sort()]);
}

/** The plugin's modules as last imported, if its files still have `stamp`. */
export function knownModules(dataDir: string, root: string, stamp: string): KnownModule[] | undefined {
  const found = read(dataDir)[root];
  return found?.stamp === stamp ? found.modules : undefined;
}

/** Records what importing a plugin found. Best effort: a data directory that cannot be written only costs time. */
export function rememberModules(dataDir: string, root: string, stamp: string, modules: KnownModule[]): void {
  const all = read(dataDir);
  all[root] = { stamp, modules };
  const file = join(dataDir, FILE);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(all)}\n`);
    renameSync(temp, file);
  } catch {
    // read-only or missing data directory
  }
}
