import { readFile } from 'node:fs/promises';
import { fn, type ModuleCallContext, SlothError, z } from '@sloth/core';
import { parseArgs } from '@sloth/core/internal';
import { fileCall } from './errors.js';
import { fileWriteFields, optionsTable, pathField, textField } from './fields.js';
import { convergeFile } from './managed-file.js';
import { sourcePath, targetPath } from './paths.js';
import { renderTemplate } from './template-render.js';

const writeFields = { dest: pathField, ...fileWriteFields };

const copyOptions = optionsTable(
  {
    src: z.string().min(1, 'expected a path, got an empty string').optional(),
    content: textField.optional(),
    ...writeFields,
  },
  '{ src = "files/app.conf", dest = "/etc/app.conf" }',
);

const templateOptions = optionsTable(
  {
    src: pathField,
    vars: z.record(z.string(), z.unknown()).optional(),
    ...writeFields,
  },
  '{ src = "templates/app.conf.j2", dest = "/etc/app.conf", vars = { port = 8080 } }',
);

const COMMON_DOC =
  'mode: "0644" or a number (420 = 0644; 644 or a Lua 0644 is refused as a decimal typo); owner/group: names or ids (an unknown name is an error; in check mode, a warning and a change); backup = true copies the old file to ' +
  'DEST.<time>~ first (backup_file); validate: a command with %s (a temp file with the new content) that must ' +
  'succeed before DEST is replaced (not run in check mode); diff = false hides the diff (secrets). The write is ' +
  "atomic (a temp file renamed over DEST) and creates missing parent directories (Ansible's copy does not). " +
  '`changes` holds content as sha256 hashes, never the text.';

const RETURNS =
  'table: changed, changes ({ content = { old, new } as "sha256:..." hashes, mode, owner, group }), diff, diff_skipped, check_mode, dest, src, mode, owner, group, backup_file';

/** Reads a file the workflow ships (not through the host: it lives where the workflow does, and travels with it). */
async function readSource(ctx: ModuleCallContext, given: string): Promise<{ path: string; bytes: Buffer }> {
  const path = sourcePath(ctx, given);
  try {
    return { path, bytes: await readFile(path) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') {
      throw new SlothError('invalid_argument', `${ctx.fn}: src '${given}' (${path}) is a directory`, {
        hint: 'src is one file; copy each file, or ship a directory tree as an archive and use file_ops.unarchive',
      });
    }
    throw new SlothError(
      code === 'ENOENT' ? 'not_found' : 'task_failed',
      `${ctx.fn}: cannot read src '${given}' (${path}): ${code ?? String(err)}`,
      {
        hint: "a relative src resolves against the workflow file's directory",
      },
    );
  }
}

export const copy = fn({
  doc: `Makes DEST hold a file shipped with the workflow (src, relative to the workflow file) or the given content, with the mode, owner and group asked for. Compared by sha256, mode and ownership: a file already right is not touched. ${COMMON_DOC}`,
  args: [{ name: 'opts', schema: copyOptions, doc: '{ src | content, dest, mode, owner, group, backup, validate, diff }' }],
  returns: RETURNS,
  examples: [
    'local r = file_ops.copy({ src = "config/nginx.conf", dest = "/etc/nginx/nginx.conf", mode = "0644", owner = "root", validate = "nginx -t -c %s" })\nif r.changed then log.info("nginx.conf updated") end',
    'file_ops.copy({ content = "nameserver 1.1.1.1\\n", dest = "/etc/resolv.conf", backup = true })',
  ],
  run: async ([opts], ctx) => {
    if ((opts.src === undefined) === (opts.content === undefined)) {
      throw new SlothError('invalid_argument', `${ctx.fn}: give exactly one of src and content`, {
        hint: 'src = "files/app.conf" copies a file shipped with the workflow; content = "..." writes text',
      });
    }
    const dest = targetPath(ctx, opts.dest);
    return fileCall(ctx, dest, async () => {
      const content = opts.src !== undefined ? (await readSource(ctx, opts.src)).bytes : Buffer.from(opts.content as string);
      return convergeFile(ctx, dest, { ...opts, content }, { dest, src: opts.src });
    });
  },
});

export const template = fn({
  doc:
    'Renders a Jinja-syntax template ({{ name }}, {% if %}, {% for %}, filters like {{ x | default("y") }}; nunjucks) ' +
    'shipped with the workflow (src, relative to the workflow file) and makes DEST hold the result. Variables: `vars`, ' +
    'plus `values` (the values file) and `params` (the run params). An undefined {{ value }} is an error, and ' +
    'errors name the template file and line. Output is not HTML-escaped. A template that prints a time changes on ' +
    `every run. ${COMMON_DOC}`,
  args: [{ name: 'opts', schema: templateOptions, doc: '{ src, dest, vars, mode, owner, group, backup, validate, diff }' }],
  returns: RETURNS,
  examples: [
    'file_ops.template({\n  src = "templates/nginx.conf.j2",\n  dest = "/etc/nginx/nginx.conf",\n  vars = { worker_processes = 4, server_name = "example.com" },\n  mode = "0644",\n  validate = "nginx -t -c %s",\n})',
  ],
  // In Lua, to hand the template the run's values and params (globals of the workflow, not in the call's context).
  // params is a read-only view: copied (its top level) into a plain table that crosses to JS. A tail call, so an
  // error names the caller's line.
  lua: `function(opts)
  local run_params = {}
  for k, v in pairs(params or {}) do run_params[k] = v end
  return M._template(opts, values, run_params)
end`,
  run: () => {
    throw new SlothError('internal', 'file_ops.template runs through its Lua wrapper');
  },
});

/**
 * The JS side of `template`: the options, then the workflow's values and params. The options are checked here, so
 * that a mistake is reported as `template`'s (under the module name the workflow used).
 */
export const templateInternal = fn({
  doc: 'file_ops.template with the values and params of the workflow.',
  args: [
    { name: 'opts', schema: z.unknown() },
    { name: 'values', schema: z.unknown() },
    { name: 'params', schema: z.unknown() },
  ],
  returns: RETURNS,
  run: async ([raw, values, params], ctx) => {
    const module = ctx.fn.slice(0, ctx.fn.lastIndexOf('.'));
    const [opts] = parseArgs(module, 'template', template, [raw]) as [z.output<typeof templateOptions>];
    return renderAndConverge({ ...ctx, fn: `${module}.template` }, opts, values, params);
  },
});

/** `template` itself, given the values and params it renders with. */
export async function renderAndConverge(
  ctx: ModuleCallContext,
  opts: z.output<typeof templateOptions>,
  values: unknown,
  params: unknown,
): Promise<Record<string, unknown>> {
  const dest = targetPath(ctx, opts.dest);
  return fileCall(ctx, dest, async () => {
    const source = await readSource(ctx, opts.src);
    const vars = { values: asTable(values), params: asTable(params), ...opts.vars };
    const content = Buffer.from(await renderTemplate(ctx, source.path, source.bytes.toString('utf8'), vars));
    return convergeFile(ctx, dest, { ...opts, content }, { dest, src: opts.src });
  });
}

const asTable = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
