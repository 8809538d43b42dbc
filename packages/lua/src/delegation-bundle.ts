import { basename, dirname, isAbsolute, relative, sep } from 'node:path';
import { SlothError } from '@sloth/core';
import { displayPath } from './lua-sandbox.js';
import type { WorkflowFile } from './workflow-file.js';

/** What travels with a delegated task: the workflow file's name and every file it needs, by path relative to its directory. */
export interface DelegationBundle {
  entryFile: string;
  files: Record<string, string>;
}

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
  return { entryFile, files };
}
