import { defineModule, type ModuleSpec } from '@sloth/core';
import { copy, template, templateInternal } from './copy-template.js';
import { file, symlink } from './file-state.js';
import { blockinfile, lineinfile, replace } from './line-functions.js';
import { readFileOpsResource } from './read-resource.js';
import { unarchive } from './unarchive.js';

const functions = { copy, template, lineinfile, blockinfile, replace, file, symlink, unarchive };

/**
 * The module under one of its two names: the functions, their Lua helper and the drift hook are shared. Under the
 * alias, the docs point at file_ops's (one full description in `modules list` and the README) and the examples name
 * the module as it is called.
 */
function named(name: string, doc: string): ModuleSpec {
  const renamed = Object.fromEntries(
    Object.entries(functions).map(([key, spec]) => [
      key,
      name === 'file_ops'
        ? spec
        : {
            ...spec,
            doc: `Same as file_ops.${key}.`,
            returns: `as file_ops.${key}`,
            examples: spec.examples?.map((e) => e.replaceAll('file_ops.', `${name}.`)),
          },
    ]),
  );
  return defineModule({
    name,
    importFrom: import.meta.url,
    // Every function also runs on an agent: `target = "agent-name"` in its options.
    targetable: true,
    doc,
    functions: renamed,
    internals: { _template: templateInternal },
    // `stack drift` reads back the files, directories and links these functions record (module = this name).
    readResource: readFileOpsResource,
  });
}

const DOC =
  "Configuration files managed idempotently with Ansible's parameters: copy, template, lineinfile, blockinfile, " +
  'replace, file, symlink, unarchive. Each reads the file first, changes only what differs (atomically), and returns ' +
  'changed, changes ({ old, new } per property; content as sha256 hashes), diff and diff_skipped; in check mode it ' +
  'changes nothing and says what it would change. Relative src: next to the workflow file; relative dest/path: the ' +
  'task workdir.';

/** `file_ops`: configuration files. */
export const fileOpsModule = named('file_ops', DOC);

/** `file`: the same module under the name the seed examples also use. */
export const fileModule = named('file', 'Same as file_ops: the same functions under the other name.');
