import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { SlothError } from '@sloth/core';
import { displayPath } from './lua-sandbox.js';
import type { WorkflowFile } from './workflow-file.js';

/** What travels with a delegated task: the workflow file's name and every file it needs, by path relative to its directory. */
export interface DelegationBundle {
  entryFile: string;
  files: Record<string, string>;
  /** Other files the workflow names in string literals (a `src`, a template), as bytes, by relative path. */
  dataFiles: Record<string, Uint8Array>;
  /** The secrets the files name as literals (`secret.get("NAME")`, `secret.exists("NAME")`): the agent gets those only. */
  secretNames: string[];
  /** The modules plugins added here: an agent without one says which plugin to install there. */
  pluginModules: { module: string; plugin: string; functions: string[] }[];
}

/** What data files may weigh together: with the Lua files, a task must fit the master's message limit. */
export const MAX_DATA_FILES_BYTES = 2 * 1024 * 1024;

/**
 * The workflow file and every Lua file it has `require`d so far, keyed by path relative to the workflow's directory
 * (an agent rebuilds that tree). A required file outside that directory cannot travel: it is refused by name.
 */
export function delegationBundle(file: WorkflowFile): DelegationBundle {
  const root = dirname(file.path);
  const entryFile = basename(file.path);
  const files: Record<string, string> = { [entryFile]: file.source };
  for (const [path, source] of file.luaFiles) {
    const rel = relative(root, path);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      throw new SlothError(
        'usage',
        `${displayPath(path)} is required by ${file.displayPath} but lies outside its directory, so it cannot travel to an agent`,
        { hint: `move it under ${displayPath(root) || '.'} (require it by a path relative to the workflow file)` },
      );
    }
    files[rel.split(sep).join('/')] = source;
  }
  const sources = [file.source, ...file.luaFiles.values()];
  const pluginModules = file.modules.flatMap((m) =>
    m.plugin ? [{ module: m.name, plugin: m.plugin, functions: m.lazy ? [...m.lazy.functions] : Object.keys(m.functions) }] : [],
  );
  return { entryFile, files, dataFiles: dataFiles(root, sources, files), secretNames: secretNames(sources), pluginModules };
}

// `secret.get("NAME")` or `secret.exists('NAME')`: the module called by its name, with a literal name.
const SECRET_CALL = /\bsecret\s*\.\s*(?:get|exists)\s*\(\s*(?:"([A-Za-z0-9_.-]+)"|'([A-Za-z0-9_.-]+)')\s*\)/g;

/**
 * The secret names the sources give as literals to secret.get or secret.exists, sorted. The file's top level runs on
 * the agent too, so every literal in the files that travel counts; a name built at run time cannot be seen.
 */
function secretNames(sources: string[]): string[] {
  const names = new Set<string>();
  for (const source of sources) for (const m of source.matchAll(SECRET_CALL)) names.add((m[1] ?? m[2]) as string);
  return [...names].sort();
}

// A Lua short string literal: its text between quotes, escapes included.
const STRING_LITERAL = /"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'/g;

/**
 * Every regular file under `root` that a string literal of the sources names (`src = "config/nginx.conf"`): what a
 * configuration function on the agent will read. A name built at run time cannot be seen, so it does not travel.
 */
function dataFiles(root: string, sources: string[], luaFiles: Record<string, string>): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  let total = 0;
  for (const source of sources) {
    for (const m of source.matchAll(STRING_LITERAL)) {
      const name = m[1] ?? m[2] ?? '';
      if (name === '' || name.length > 4096 || name.includes('\\') || isAbsolute(name)) continue;
      const rel = relative(root, resolve(root, name)).split(sep).join('/');
      if (rel === '' || rel.startsWith('../') || rel === '..' || rel in out || rel in luaFiles) continue;
      const path = resolve(root, rel);
      const info = statSync(path, { throwIfNoEntry: false });
      if (!info?.isFile()) continue;
      total += info.size;
      if (total > MAX_DATA_FILES_BYTES) {
        throw new SlothError(
          'usage',
          `the files the workflow names total more than 2 MiB, so they cannot travel to an agent (at ${rel})`,
          {
            hint: 'put large files on the agents by other means (a package, an artifact store) and name them by absolute path',
          },
        );
      }
      out[rel] = readFileSync(path);
    }
  }
  return out;
}
