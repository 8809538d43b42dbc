import { isAbsolute, join } from 'node:path';
import { arg, type Changes, changeResult, converge, defineResource, fn, luaTable, sha256Hex, z } from '@sloth/core';
import { hclValue, workdirOf } from './terraform-cli.js';

/** A tfvars file in HCL (`name = value`, values as JSON, which HCL accepts), keys sorted so a rerun writes the same bytes. */
export function renderTfvars(values: Record<string, unknown>): string {
  return Object.keys(values)
    .sort()
    .map((k) => `${k} = ${hclValue(values[k])}\n`)
    .join('');
}

/** Content in `changes` is a hash, never the text (tfvars may hold secrets). */
const hashOf = (text: string) => `sha256:${sha256Hex(text)}`;

const tfvarsResource = defineResource({
  type: 'terraform_tfvars',
  desired: z.object({ content: z.string() }),
  async read(ctx, path) {
    if ((await ctx.host.stat(path))?.type !== 'file') return undefined;
    return { content: (await ctx.host.readFile(path)).toString('utf8') };
  },
  diff: (desired, actual): Changes =>
    actual?.content === desired.content
      ? {}
      : { content: { old: actual && hashOf(actual.content), new: hashOf(desired.content) } },
  content: (desired, actual) => ({ before: actual?.content, after: desired.content }),
  async apply(ctx, path, _changes, desired) {
    await ctx.host.writeFile(path, desired.content, { mode: 0o600 });
  },
});

export const createTfvars = fn({
  doc:
    'Writes a tfvars file (HCL) from a table of variables into DIR (relative: the task workdir), mode 0600 (it may ' +
    'hold secrets); an unchanged file is not rewritten (changed = false). Names must be terraform identifiers. ' +
    'A name ending in .json gets JSON instead. Usually called as client:create_tfvars(filename, values).',
  args: [
    arg('dir', z.string().min(1)),
    arg('filename', z.string().min(1)),
    arg(
      'values',
      luaTable(z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'expected a terraform variable name'), z.unknown())),
    ),
  ],
  returns: 'table: changed, changes, diff, check_mode, filename',
  examples: ['terraform.create_tfvars("/tmp/infra", "terraform.tfvars", { environment = "prod", instance_count = 2 })'],
  run: async ([dir, filename, values], ctx) => {
    const base = workdirOf(ctx, dir);
    const path = isAbsolute(filename) ? filename : join(base, filename);
    const content = filename.endsWith('.json')
      ? `${JSON.stringify(values, Object.keys(values).sort(), 2)}\n`
      : renderTfvars(values);
    const outcome = await converge(tfvarsResource, path, { content }, ctx);
    return changeResult(outcome, { filename: path });
  },
});
