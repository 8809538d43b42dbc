import { arg, fn, luaTable, type ModuleCallContext, notRun, SlothError, strictTable, toolJson, z } from '@sloth/core';
import { type ProjectOptions, PULUMI, projectOptions, pulumi } from './pulumi-cli.js';

const projectArg = arg('opts', luaTable(strictTable(projectOptions)).optional(), '{ cwd, stack, config, timeout }');

/** What a preview would do, by operation ("create", "update", "delete", "same", ...), from preview --json. */
export type ChangeSummary = Record<string, number>;
const changesIn = (summary: ChangeSummary) => Object.entries(summary).some(([op, n]) => op !== 'same' && n > 0);

/** Runs pulumi preview --json: its change summary, or the failed result. */
async function preview(ctx: ModuleCallContext, o: ProjectOptions) {
  const r = await pulumi(ctx, o, ['preview', '--json'], { quiet: true, withConfig: true });
  if (!r.success) {
    // With --json the diagnostics are in the JSON; their messages are what to show.
    const shown = jsonDiagnostics(r.stdout) ?? r.error;
    return { result: { ...r, error: shown }, summary: {} as ChangeSummary };
  }
  const parsed = toolJson(ctx, PULUMI, 'preview --json', r) as { changeSummary?: ChangeSummary };
  return { result: r, summary: parsed.changeSummary ?? {} };
}

/** The error messages of a failed `preview --json` (its diagnostics), when it printed JSON at all. */
function jsonDiagnostics(stdout: string): string | undefined {
  try {
    const d = (JSON.parse(stdout) as { diagnostics?: { severity: string; message: string }[] }).diagnostics ?? [];
    const errors = d.filter((x) => x.severity === 'error').map((x) => x.message.trim());
    return errors.length > 0 ? errors.join('\n') : undefined;
  } catch {
    return undefined;
  }
}

/** The stack's outputs, decoded from stack output --json (secrets stay hidden: pulumi prints "[secret]"). */
async function outputs(ctx: ModuleCallContext, o: ProjectOptions): Promise<Record<string, unknown>> {
  const r = await pulumi(ctx, o, ['stack', 'output', '--json'], { quiet: true });
  return toolJson(ctx, PULUMI, 'stack output', r) as Record<string, unknown>;
}

const report = (ctx: ModuleCallContext, o: ProjectOptions, changed: boolean, summary: ChangeSummary, record?: object) => {
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const [op, n] of Object.entries(summary)) if (op !== 'same' && n > 0) changes[op] = { old: 0, new: n };
  ctx.reportResource({
    type: 'pulumi_stack',
    name: `${o.cwd ?? ctx.workdir}#${o.stack ?? '(current)'}`,
    fn: ctx.fn,
    changed,
    changes,
    checkMode: ctx.checkMode,
    record: record as Record<string, unknown> | undefined,
  });
};

export const previewFn = fn({
  doc: 'pulumi preview: what an up would do. changed, and summary (counts by operation: create, update, delete, same...) from --json.',
  args: [projectArg],
  returns: 'table: success, changed, summary, exit_code, stdout, stderr, error',
  examples: ['local p = pulumi.preview({ cwd = "infra", stack = "dev" })\nif p.changed then log.info("changes pending") end'],
  run: async ([opts], ctx) => {
    const { result, summary } = await preview(ctx, opts ?? {});
    return { ...result, changed: changesIn(summary), summary };
  },
});

export const up = fn({
  doc:
    'pulumi up, idempotent: it previews first and updates only when the preview has changes (changed = false ' +
    'otherwise). config: --config for each value. In check mode it only previews. Returns the stack outputs; the ' +
    "stack is recorded in the run's stack.",
  args: [projectArg],
  returns: 'table: success, changed, summary, outputs, check_mode, exit_code, stdout, stderr, error',
  examples: [
    'local r = pulumi.up({ cwd = "infra", stack = "dev", config = { ["aws:region"] = "us-east-1" } })\nif not r.success then error(r.error) end',
  ],
  run: async ([opts], ctx) => {
    const o = opts ?? {};
    const { result, summary } = await preview(ctx, o);
    if (!result.success) return { ...result, changed: false, summary, check_mode: ctx.checkMode };
    const changed = changesIn(summary);
    if (!changed || ctx.checkMode) {
      report(ctx, o, changed, summary, ctx.checkMode ? undefined : { outputs: Object.keys(await outputs(ctx, o)) });
      return notRun(ctx, changed, { summary });
    }
    const r = await pulumi(ctx, o, ['up', '--yes', '--skip-preview'], { withConfig: true });
    const outs = r.success ? await outputs(ctx, o) : undefined;
    report(ctx, o, true, summary, r.success ? { outputs: Object.keys(outs ?? {}) } : undefined);
    return { ...r, changed: true, summary, outputs: outs, check_mode: false };
  },
});

/** The count after "Resources:" in pulumi's text summary for these words ("3 to delete", "3 deleted"). */
const countOf = (text: string, words: RegExp) => {
  let n = 0;
  for (const m of text.matchAll(new RegExp(`^\\s*[-+~]?\\s*(\\d+) (?:${words.source})\\b`, 'gm'))) n += Number(m[1]);
  return n;
};

export const destroy = fn({
  doc: "pulumi destroy of the stack's resources; changed when any was (or, in check mode with --preview-only, would be) deleted.",
  args: [projectArg],
  returns: 'table: success, changed, deleted, check_mode, exit_code, stdout, stderr, error',
  examples: ['pulumi.destroy({ cwd = "infra", stack = "dev" })'],
  run: async ([opts], ctx) => {
    const o = opts ?? {};
    const r = await pulumi(ctx, o, ['destroy', ctx.checkMode ? '--preview-only' : '--yes']);
    const deleted = countOf(r.stdout, /to delete|deleted/);
    if (r.success) report(ctx, o, deleted > 0, { delete: deleted });
    return { ...r, changed: r.success && deleted > 0, deleted, check_mode: ctx.checkMode };
  },
});

export const refresh = fn({
  doc: "pulumi refresh: the stack's state brought in line with the real resources; changed when any were updated or gone (check mode: --preview-only).",
  args: [projectArg],
  returns: 'table: success, changed, check_mode, exit_code, stdout, stderr, error',
  examples: ['pulumi.refresh({ cwd = "infra", stack = "dev" })'],
  run: async ([opts], ctx) => {
    const o = opts ?? {};
    const r = await pulumi(ctx, o, ['refresh', ctx.checkMode ? '--preview-only' : '--yes']);
    const changed = r.success && countOf(r.stdout, /to update|updated|to delete|deleted/) > 0;
    return { ...r, changed, check_mode: ctx.checkMode };
  },
});

export const stackSelect = fn({
  doc: 'Selects a stack (create = true: creates it when missing); changed when the current stack was another.',
  args: [
    arg(
      'opts',
      luaTable(strictTable({ ...projectOptions, stack: z.string().min(1), create: z.boolean().optional() })),
      '{ stack, cwd, create }',
    ),
  ],
  returns: 'table: success, changed, stack, check_mode, exit_code, stdout, stderr, error',
  examples: ['pulumi.stack_select({ cwd = "infra", stack = "staging", create = true })'],
  run: async ([o], ctx) => {
    const current = await pulumi(ctx, { ...o, stack: undefined }, ['stack', '--show-name'], { quiet: true });
    if (current.success && current.stdout.trim() === o.stack) {
      return notRun(ctx, false, { stack: o.stack });
    }
    if (ctx.checkMode) return notRun(ctx, true, { stack: o.stack });
    const r = await pulumi(ctx, { ...o, stack: undefined }, ['stack', 'select', o.stack, ...(o.create ? ['--create'] : [])]);
    return { ...r, changed: r.success, stack: o.stack, check_mode: false };
  },
});

export const stackOutput = fn({
  doc: 'The stack\'s outputs, decoded from pulumi stack output --json (one when name is given; nil when it does not exist). Secrets stay "[secret]".',
  args: [
    arg(
      'opts',
      luaTable(strictTable({ ...projectOptions, name: z.string().min(1).optional() })).optional(),
      '{ cwd, stack, name }',
    ),
  ],
  returns: 'the value of `name`, or a table of all outputs',
  examples: ['local url = pulumi.stack_output({ cwd = "infra", stack = "dev", name = "url" })'],
  run: async ([opts], ctx) => {
    const all = await outputs(ctx, opts ?? {});
    if (typeof all !== 'object' || all === null)
      throw new SlothError('task_failed', `${ctx.fn}: pulumi stack output did not print an object`);
    return opts?.name !== undefined ? all[opts.name] : all;
  },
});
