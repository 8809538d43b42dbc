import { appendFile, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { arg, converge, type FunctionSpec, fn, luaTypeName, makeDirectory, z } from '@sloth/core/internal';
import { fileResource } from './file-resource.js';
import { fsCall } from './fs-errors.js';
import { pathArg, resolvePath } from './paths.js';

// Numbers are accepted as their text, as Lua's io.write does; tables need an explicit encoder.
const contentArg = arg(
  'content',
  z
    .union([z.string(), z.number()], {
      error: (issue) => `expected a string, got ${luaTypeName(issue.input)} (use json.encode or yaml.encode to write a table)`,
    })
    .transform(String),
  'the text to write',
);

/** `fs.read` and its alias: the whole file as a UTF-8 string. */
export function readFunction(name: string, doc: string): FunctionSpec {
  return fn({
    doc,
    args: [pathArg('path', 'file to read; relative to the task workdir')],
    returns: 'string',
    examples: [`local config = ${name}("config/app.yaml")`],
    run: ([given], ctx) => {
      const path = resolvePath(ctx, given);
      return fsCall(given, path, ctx, () => readFile(path, { encoding: 'utf8', signal: ctx.signal }));
    },
  });
}

/**
 * `fs.write` and its alias: the file resource with this content, creating parent directories. A file that has it
 * already is left alone (its mtime too), and the task's `changed` says whether anything was written.
 */
export function writeFunction(name: string, doc: string): FunctionSpec {
  return fn({
    doc,
    args: [pathArg('path', 'file to write; relative to the task workdir'), contentArg],
    returns: 'nothing',
    examples: [`${name}("out/version.txt", version .. "\\n")`],
    run: async ([given, content], ctx) => {
      const path = resolvePath(ctx, given);
      await fsCall(given, path, ctx, () => converge(fileResource, path, { content }, ctx));
    },
  });
}

export const read = readFunction('fs.read', 'Reads a whole file as text (UTF-8).');
export const readFileAlias = readFunction('fs.read_file', 'Same as fs.read (the name used in older examples).');
export const write = writeFunction(
  'fs.write',
  'Writes text to a file, replacing its content and creating missing parent directories.',
);
export const writeFileAlias = writeFunction('fs.write_file', 'Same as fs.write (the name used in older examples).');

export const append = fn({
  doc: 'Appends text to a file, creating it and its parent directories when missing.',
  args: [pathArg('path', 'file to append to; relative to the task workdir'), contentArg],
  returns: 'nothing',
  examples: ['fs.append("deploy.log", os.date() .. " deployed\\n")'],
  run: async ([given, content], ctx) => {
    const path = resolvePath(ctx, given);
    await fsCall(given, path, ctx, async () => {
      await makeDirectory(dirname(path));
      await appendFile(path, content);
    });
  },
});
