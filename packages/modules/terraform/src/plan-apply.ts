import { randomBytes } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { arg, fn, luaTable, type ModuleCallContext, parseDuration, SlothError, strictTable, z } from '@sloth/core';
import { type CliResult, terraform, varArgs, workdirOf } from './terraform-cli.js';

const common = {
  workdir: z.string().min(1).optional(),
  var_file: z.string().min(1).optional(),
  vars: luaTable(z.record(z.string(), z.unknown())).optional(),
  timeout: z.union([z.string(), z.number()]).optional(),
};
const planOptions = strictTable({ ...common, out: z.string().min(1).optional(), destroy: z.boolean().optional() });
const applyOptions = strictTable({ ...common, plan_file: z.string().min(1).optional(), auto_approve: z.boolean().optional() });
const destroyOptions = strictTable({ ...common, auto_approve: z.boolean().optional() });
type Common = {
  workdir?: string | undefined;
  var_file?: string | undefined;
  vars?: Record<string, unknown> | undefined;
  timeout?: string | number | undefined;
};

/** What a plan would do, counted by action (a replace counts as one add and one destroy, as terraform prints it). */
export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
}

const timeoutOf = (opts: Common | undefined) =>
  opts?.timeout !== undefined ? parseDuration(opts.timeout, 'terraform timeout') : undefined;

/** Counts a saved plan's resource changes from `terraform show -json`. */
async function countPlan(ctx: ModuleCallContext, dir: string, planFile: string): Promise<PlanCounts> {
  const shown = await terraform(ctx, dir, ['show', '-json', '-no-color', planFile], { quiet: true });
  if (!shown.success) throw new SlothError('task_failed', `${ctx.fn}: terraform show of the plan failed: ${shown.error}`);
  const plan = JSON.parse(shown.stdout) as { resource_changes?: { change: { actions: string[] } }[] };
  const counts = { add: 0, change: 0, destroy: 0 };
  for (const rc of plan.resource_changes ?? []) {
    const a = rc.change.actions;
    if (a.includes('create')) counts.add += 1;
    if (a.includes('delete')) counts.destroy += 1;
    if (a.includes('update')) counts.change += 1;
  }
  return counts;
}

/**
 * A plan, with its counts; -detailed-exitcode tells changes apart. Saved to `out`, or to a file of ours when it is to
 * be applied (the caller removes it); otherwise not saved at all (check mode writes nothing), its counts read from the
 * change summary of -json.
 */
async function makePlan(
  ctx: ModuleCallContext,
  dir: string,
  opts: Common & { out?: string | undefined; destroy?: boolean | undefined },
  save: boolean,
) {
  const planFile = opts.out ?? (save ? `.sloth-${randomBytes(6).toString('hex')}.tfplan` : undefined);
  const args = ['plan', '-input=false', '-no-color', '-detailed-exitcode'];
  args.push(...(planFile !== undefined ? [`-out=${planFile}`] : ['-json']));
  if (opts.destroy) args.push('-destroy');
  const r = await terraform(ctx, dir, [...args, ...varArgs(opts.vars, opts.var_file)], {
    timeoutMs: timeoutOf(opts),
    json: planFile === undefined,
  });
  // -detailed-exitcode: 0 no changes, 2 changes, 1 an error.
  const changed = r.exit_code === 2;
  const result = { ...r, success: r.exit_code === 0 || changed, changed };
  if (changed) result.error = undefined;
  if (!result.success && planFile === undefined) result.error = jsonErrors(r.stdout) ?? result.error;
  let counts = { add: 0, change: 0, destroy: 0 };
  if (result.success && changed) counts = planFile !== undefined ? await countPlan(ctx, dir, planFile) : summaryOf(r.stdout);
  const path = planFile === undefined ? undefined : isAbsolute(planFile) ? planFile : join(dir, planFile);
  return { result, counts, planFile: path, own: opts.out === undefined && planFile !== undefined };
}

/** The counts of -json's change_summary line. */
function summaryOf(stdout: string): PlanCounts {
  for (const line of stdout.split('\n').reverse()) {
    if (!line.includes('"change_summary"')) continue;
    const c = (JSON.parse(line) as { changes: { add: number; change: number; remove: number } }).changes;
    return { add: c.add, change: c.change, destroy: c.remove };
  }
  return { add: 0, change: 0, destroy: 0 };
}

/** The errors of -json output (diagnostics), with their file and line, as terraform prints them in text. */
function jsonErrors(stdout: string): string | undefined {
  const errors: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.includes('"diagnostic"')) continue;
    const d = (
      JSON.parse(line) as {
        diagnostic?: {
          severity: string;
          summary: string;
          detail?: string;
          range?: { filename: string; start: { line: number } };
        };
      }
    ).diagnostic;
    if (d?.severity !== 'error') continue;
    const where = d.range ? `\n  on ${d.range.filename} line ${d.range.start.line}` : '';
    errors.push(`Error: ${d.summary}${where}${d.detail ? `\n${d.detail}` : ''}`);
  }
  return errors.length > 0 ? errors.join('\n') : undefined;
}

/** The task's change: a terraform workspace that was (or in check mode would be) changed. */
function report(ctx: ModuleCallContext, dir: string, counts: PlanCounts, changed: boolean, record?: Record<string, unknown>) {
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const k of ['add', 'change', 'destroy'] as const) if (counts[k] > 0) changes[k] = { old: 0, new: counts[k] };
  ctx.reportResource({ type: 'terraform_workspace', name: dir, fn: ctx.fn, changed, changes, checkMode: ctx.checkMode, record });
}

const strip = ({ raw: _, ...r }: CliResult & { raw?: unknown }) => r;

export const plan = fn({
  doc:
    'terraform plan: what an apply would do, without doing it. changed (there are changes), add, change, destroy ' +
    "(counted from the saved plan), plan_file when out is given; success = false (with error: terraform's message, " +
    'file and line) when it failed. vars: -var for each; var_file: -var-file; destroy: plan a destroy.',
  args: [arg('opts', luaTable(planOptions).optional(), '{ workdir, out, var_file, vars, destroy, timeout }')],
  returns: 'table: success, changed, add, change, destroy, plan_file, exit_code, stdout, stderr, error',
  examples: [
    'local p = terraform.plan({ workdir = "/tmp/infra/terraform/", out = "prod.tfplan" })\nif p.changed then log.info(p.add .. " to add") end',
  ],
  run: async ([opts], ctx) => {
    const dir = workdirOf(ctx, opts?.workdir);
    const { result, counts, planFile } = await makePlan(ctx, dir, opts ?? {}, false);
    return { ...strip(result), ...counts, plan_file: planFile };
  },
});

export const apply = fn({
  doc:
    'terraform apply, idempotent: it plans first and applies only when the plan has changes (changed = false ' +
    'otherwise, and nothing is applied). A saved plan_file is applied as it is; without one, auto_approve = true is ' +
    'required (there is nobody to answer the prompt). In check mode it only plans and reports what would change. ' +
    "The workspace and its outputs are recorded in the run's stack.",
  args: [arg('opts', luaTable(applyOptions).optional(), '{ workdir, plan_file | auto_approve, var_file, vars, timeout }')],
  returns: 'table: success, changed, add, change, destroy, outputs, check_mode, exit_code, stdout, stderr, error',
  examples: ['terraform.apply({ workdir = "/tmp/infra/terraform/", auto_approve = true })'],
  run: async ([opts], ctx) => applyPlan(ctx, opts ?? {}, false),
});

export const destroy = fn({
  doc:
    'terraform destroy, idempotent: plans a destroy and applies it only when something is left to destroy. Needs ' +
    'auto_approve = true. In check mode it only plans.',
  args: [arg('opts', luaTable(destroyOptions).optional(), '{ workdir, auto_approve, var_file, vars, timeout }')],
  returns: 'table: success, changed, destroy, check_mode, exit_code, stdout, stderr, error',
  examples: ['terraform.destroy({ workdir = "/tmp/infra/terraform/", auto_approve = true })'],
  run: async ([opts], ctx) => applyPlan(ctx, opts ?? {}, true),
});

async function applyPlan(
  ctx: ModuleCallContext,
  opts: Common & { plan_file?: string | undefined; auto_approve?: boolean | undefined },
  destroying: boolean,
) {
  const dir = workdirOf(ctx, opts.workdir);
  if (opts.plan_file === undefined && opts.auto_approve !== true) {
    throw new SlothError('invalid_argument', `${ctx.fn}: give plan_file (a saved plan) or auto_approve = true`, {
      hint: 'terraform would ask for confirmation, and nobody can answer it in a workflow',
    });
  }
  let planFile: string | undefined;
  let counts: PlanCounts;
  let own = false;
  if (opts.plan_file !== undefined) {
    planFile = isAbsolute(opts.plan_file) ? opts.plan_file : join(dir, opts.plan_file);
    counts = await countPlan(ctx, dir, planFile);
  } else {
    const made = await makePlan(ctx, dir, { ...opts, destroy: destroying }, !ctx.checkMode);
    if (!made.result.success) return { ...strip(made.result), changed: false, ...made.counts, check_mode: ctx.checkMode };
    ({ planFile, counts, own } = made);
  }
  const changed = counts.add + counts.change + counts.destroy > 0;
  try {
    if (!changed || ctx.checkMode) {
      report(ctx, dir, counts, changed);
      return { success: true, exit_code: 0, stdout: '', stderr: '', changed, ...counts, check_mode: ctx.checkMode };
    }
    const r = await terraform(ctx, dir, ['apply', '-input=false', '-no-color', planFile as string], {
      timeoutMs: timeoutOf(opts),
    });
    const outputs = r.success ? await readOutputs(ctx, dir) : undefined;
    report(ctx, dir, counts, true, r.success ? { outputs: Object.keys(outputs ?? {}) } : undefined);
    return { ...strip(r), changed: true, ...counts, outputs, check_mode: false };
  } finally {
    if (own && planFile !== undefined) await ctx.host.remove(planFile);
  }
}

/** `terraform output -json` as plain values (sensitive ones kept out: they are secrets). */
export async function readOutputs(ctx: ModuleCallContext, dir: string): Promise<Record<string, unknown>> {
  const r = await terraform(ctx, dir, ['output', '-json', '-no-color'], { quiet: true });
  if (!r.success) return {};
  const all = JSON.parse(r.stdout || '{}') as Record<string, { value: unknown; sensitive: boolean }>;
  return Object.fromEntries(Object.entries(all).map(([k, o]) => [k, o.sensitive ? '(sensitive)' : o.value]));
}
