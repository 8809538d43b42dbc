import { arg, fn, luaTable, SlothError, strictTable, z } from '@sloth/core';
import { readOutputs } from './plan-apply.js';
import { terraform, workdirOf } from './terraform-cli.js';

const dirOnly = strictTable({ workdir: z.string().min(1).optional() });
const stripRaw = <T extends { raw?: unknown }>({ raw: _, ...r }: T) => r;

export const output = fn({
  doc: 'The outputs of the applied state, decoded from terraform output -json (one when name is given; nil when it does not exist). Sensitive values are returned as "(sensitive)".',
  args: [
    arg(
      'opts',
      luaTable(strictTable({ workdir: z.string().min(1).optional(), name: z.string().min(1).optional() })).optional(),
      '{ workdir, name }',
    ),
  ],
  returns: 'the value of `name`, or a table of all outputs',
  examples: ['local url = terraform.output({ workdir = "/tmp/infra", name = "endpoint" })'],
  run: async ([opts], ctx) => {
    const all = await readOutputs(ctx, workdirOf(ctx, opts?.workdir));
    return opts?.name !== undefined ? all[opts.name] : all;
  },
});

export const validate = fn({
  doc: 'terraform validate: valid, and each error with its file and line (from -json).',
  args: [arg('opts', luaTable(dirOnly).optional(), '{ workdir }')],
  returns: 'table: success, valid, errors ({ { message, file, line } }), exit_code, stdout, stderr',
  examples: ['local v = terraform.validate({ workdir = "/tmp/infra" })\nif not v.valid then error(v.errors[1].message) end'],
  run: async ([opts], ctx) => {
    const r = await terraform(ctx, workdirOf(ctx, opts?.workdir), ['validate', '-json', '-no-color'], { quiet: true });
    let parsed: {
      valid?: boolean;
      diagnostics?: {
        severity: string;
        summary: string;
        detail?: string;
        range?: { filename: string; start: { line: number } };
      }[];
    } = {};
    try {
      parsed = JSON.parse(r.stdout);
    } catch {
      // Not initialised, or an older terraform: the text error is in the result.
    }
    const errors = (parsed.diagnostics ?? [])
      .filter((d) => d.severity === 'error')
      .map((d) => ({
        message: d.detail ? `${d.summary}: ${d.detail}` : d.summary,
        file: d.range?.filename,
        line: d.range?.start.line,
      }));
    return { ...stripRaw(r), valid: parsed.valid === true, errors };
  },
});

export const fmt = fn({
  doc: 'terraform fmt: rewrites .tf files in canonical style (changed lists the files); check = true only reports them.',
  args: [
    arg(
      'opts',
      luaTable(
        strictTable({ workdir: z.string().min(1).optional(), check: z.boolean().optional(), recursive: z.boolean().optional() }),
      ).optional(),
      '{ workdir, check, recursive }',
    ),
  ],
  returns: 'table: success, changed, files, exit_code, stdout, stderr',
  examples: ['terraform.fmt({ workdir = "/tmp/infra", recursive = true })'],
  run: async ([opts], ctx) => {
    const check = opts?.check === true || ctx.checkMode;
    const args = ['fmt', '-no-color', '-list=true', ...(check ? ['-check'] : []), ...(opts?.recursive ? ['-recursive'] : [])];
    const r = await terraform(ctx, workdirOf(ctx, opts?.workdir), args, { quiet: true });
    const files = r.stdout.split('\n').filter((l) => l.trim() !== '');
    // fmt -check exits 3 when files need formatting: that is an answer, not a failure.
    return { ...stripRaw(r), success: r.success || (check && r.exit_code === 3), changed: files.length > 0, files };
  },
});

export const show = fn({
  doc: 'The current state, decoded from terraform show -json.',
  args: [arg('opts', luaTable(dirOnly).optional(), '{ workdir }')],
  returns: "table (terraform's JSON state: values.root_module.resources, ...)",
  examples: ['local state = terraform.show({ workdir = "/tmp/infra" })'],
  run: async ([opts], ctx) => {
    const r = await terraform(ctx, workdirOf(ctx, opts?.workdir), ['show', '-json', '-no-color'], { quiet: true });
    if (!r.success) throw new SlothError('task_failed', `${ctx.fn}: terraform show failed: ${r.error}`);
    return JSON.parse(r.stdout || '{}');
  },
});

export const stateList = fn({
  doc: 'The resource addresses in the state (terraform state list).',
  args: [arg('opts', luaTable(dirOnly).optional(), '{ workdir }')],
  returns: 'list of strings',
  examples: ['for _, address in ipairs(terraform.state_list({ workdir = "/tmp/infra" })) do log.info(address) end'],
  run: async ([opts], ctx) => {
    const r = await terraform(ctx, workdirOf(ctx, opts?.workdir), ['state', 'list', '-no-color'], { quiet: true });
    if (!r.success) throw new SlothError('task_failed', `${ctx.fn}: terraform state list failed: ${r.error}`);
    return r.stdout.split('\n').filter((l) => l !== '');
  },
});

const workspaceOptions = strictTable({
  workdir: z.string().min(1).optional(),
  name: z.string().min(1),
  create: z.boolean().optional(),
});

export const workspaceSelect = fn({
  doc: 'Selects a workspace (create = true: creates it when missing); changed when the workspace was switched.',
  args: [arg('opts', luaTable(workspaceOptions), '{ workdir, name, create }')],
  returns: 'table: success, changed, workspace, exit_code, stdout, stderr, error',
  examples: ['terraform.workspace_select({ workdir = "/tmp/infra", name = "staging", create = true })'],
  run: async ([opts], ctx) => {
    const dir = workdirOf(ctx, opts.workdir);
    const current = (await terraform(ctx, dir, ['workspace', 'show'], { quiet: true })).stdout.trim();
    if (current === opts.name) return { success: true, changed: false, workspace: current, exit_code: 0, stdout: '', stderr: '' };
    if (ctx.checkMode)
      return { success: true, changed: true, workspace: current, exit_code: 0, stdout: '', stderr: '', check_mode: true };
    const args = ['workspace', 'select', ...(opts.create ? ['-or-create'] : []), opts.name];
    const r = await terraform(ctx, dir, args);
    return { ...stripRaw(r), changed: r.success, workspace: r.success ? opts.name : current };
  },
});

export const workspaceNew = fn({
  doc: 'Creates a workspace and switches to it; one that exists is selected (changed when anything was done).',
  args: [arg('opts', luaTable(workspaceOptions.omit({ create: true })), '{ workdir, name }')],
  returns: 'table: success, changed, workspace, exit_code, stdout, stderr, error',
  examples: ['terraform.workspace_new({ workdir = "/tmp/infra", name = "feature-x" })'],
  run: async ([opts], ctx) => workspaceSelect.run([{ ...opts, create: true }] as never, ctx),
});
