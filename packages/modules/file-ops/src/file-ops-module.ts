import { defineModule, moduleAlias } from '@sloth/core';
import { copy, template, templateInternal } from './copy-template.js';
import { file, symlink } from './file-state.js';
import { blockinfile, lineinfile, replace } from './line-functions.js';
import { readFileOpsResource } from './read-resource.js';
import { unarchive } from './unarchive.js';

const functions = { copy, template, lineinfile, blockinfile, replace, file, symlink, unarchive };

const DOC =
  "Configuration files managed idempotently with Ansible's parameters: copy, template, lineinfile, blockinfile, " +
  'replace, file, symlink, unarchive. Each reads the file first, changes only what differs (atomically), and returns ' +
  'changed, changes ({ old, new } per property; content as sha256 hashes), diff and diff_skipped; in check mode it ' +
  'changes nothing and says what it would change. Relative src: next to the workflow file; relative dest/path: the ' +
  'task workdir.';

/** `file_ops`: configuration files. */
export const fileOpsModule = defineModule({
  name: 'file_ops',
  importFrom: import.meta.url,
  // Every function also runs on an agent: `target = "agent-name"` in its options.
  targetable: true,
  doc: DOC,
  functions,
  internals: { _template: templateInternal },
  // `stack drift` reads back the files, directories and links these functions record (module = file_ops or file).
  readResource: readFileOpsResource,
});

/** `file`: the same module under the name the seed examples also use. */
export const fileModule = moduleAlias(
  fileOpsModule,
  'file',
  'Same as file_ops: the same functions under the other name.',
  import.meta.url,
);
