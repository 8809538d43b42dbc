import { defineModule } from '@sloth/core';
import { copy, move, symlink } from './copy-move.js';
import { glob } from './glob.js';
import { basename, dirname, tmpname } from './names.js';
import { readFsResource } from './read-resource.js';
import { append, read, readFileAlias, write, writeFileAlias } from './read-write.js';
import { stat } from './stat.js';
import { exists, ls, mkdir, rm, rmr } from './tree.js';

/** The `fs` module: files and directories, with relative paths resolved against the task workdir. */
export const fsModule = defineModule({
  name: 'fs',
  importFrom: import.meta.url,
  doc: 'Read, write and manage files and directories; relative paths resolve against the task workdir.',
  functions: {
    read,
    write,
    append,
    read_file: readFileAlias,
    write_file: writeFileAlias,
    exists,
    mkdir,
    rm,
    rmr,
    ls,
    glob,
    copy,
    move,
    symlink,
    stat,
    tmpname,
    basename,
    dirname,
  },
  // `stack drift` reads back resources of type "file" registered with module = "fs".
  readResource: readFsResource,
});
