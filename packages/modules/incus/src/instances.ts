import {
  arg,
  durationField,
  fn,
  luaList,
  luaTable,
  type ModuleCallContext,
  notRun,
  SlothError,
  strictTable,
  z,
} from '@sloth/core';
import { incus, incusChange, instanceStatus } from './incus-cli.js';

const nameArg = arg('name', z.string().min(1), 'the instance');

/** Reports a change of an instance to the task (and, applied, to the run's stack). */
function report(ctx: ModuleCallContext, name: string, from: string | undefined, to: string) {
  ctx.reportResource({
    type: 'incus_instance',
    name,
    fn: ctx.fn,
    changed: true,
    changes: { status: { old: from, new: to } },
    checkMode: ctx.checkMode,
    record: ctx.checkMode || to === 'Absent' ? undefined : { status: to },
  });
}

/** Runs a change unless in check mode; a failure is an error with incus's message. */
async function change(ctx: ModuleCallContext, name: string, from: string | undefined, to: string, args: string[]) {
  report(ctx, name, from, to);
  if (ctx.checkMode) return notRun(ctx, true);
  return incusChange(ctx, args, `${args[0]} ${name}`);
}

export const instanceCreate = fn({
  doc: 'Creates an instance (incus init: not started) from image with profiles and config; changed = false when it exists.',
  args: [
    arg(
      'opts',
      luaTable(
        strictTable({
          name: z.string().min(1),
          image: z.string().min(1),
          profiles: luaList(z.array(z.string().min(1))).optional(),
          config: luaTable(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).optional(),
          vm: z.boolean().optional(),
        }),
      ),
      '{ name, image, profiles, config, vm }',
    ),
  ],
  returns: 'table: success, changed, check_mode, exit_code, stdout, stderr',
  examples: ['incus.instance_create({ name = "web-01", image = "images:debian/12", profiles = { "default" } })'],
  run: async ([o], ctx) => {
    const status = await instanceStatus(ctx, o.name);
    if (status !== undefined) return notRun(ctx, false);
    const args = ['init', o.image, o.name, ...(o.profiles ?? []).flatMap((p) => ['--profile', p])];
    for (const [k, v] of Object.entries(o.config ?? {})) args.push('--config', `${k}=${String(v)}`);
    if (o.vm) args.push('--vm');
    return change(ctx, o.name, undefined, 'Stopped', args);
  },
});

export const instanceStart = fn({
  doc: 'Starts an instance; changed = false when it is running.',
  args: [nameArg],
  returns: 'table: success, changed, check_mode, exit_code, stdout, stderr',
  examples: ['incus.instance_start("web-01")'],
  run: async ([name], ctx) => {
    const status = await instanceStatus(ctx, name);
    if (status === 'Running') return notRun(ctx, false);
    if (status === undefined && !ctx.checkMode) throw new SlothError('not_found', `${ctx.fn}: there is no instance ${name}`);
    return change(ctx, name, status, 'Running', ['start', name]);
  },
});

export const instanceStop = fn({
  doc: 'Stops an instance (force: without waiting for its shutdown); changed = false when it is not running.',
  args: [nameArg, arg('opts', luaTable(strictTable({ force: z.boolean().optional() })).optional(), '{ force }')],
  returns: 'table: success, changed, check_mode, exit_code, stdout, stderr',
  examples: ['incus.instance_stop("web-01", { force = true })'],
  run: async ([name, opts], ctx) => {
    const status = await instanceStatus(ctx, name);
    if (status !== 'Running') return notRun(ctx, false);
    return change(ctx, name, status, 'Stopped', ['stop', name, ...(opts?.force ? ['--force'] : [])]);
  },
});

export const instanceDelete = fn({
  doc: 'Deletes an instance (running ones too: --force); changed = false when there is none.',
  args: [nameArg],
  returns: 'table: success, changed, check_mode, exit_code, stdout, stderr',
  examples: ['incus.instance_delete("web-01")'],
  run: async ([name], ctx) => {
    const status = await instanceStatus(ctx, name);
    if (status === undefined) return notRun(ctx, false);
    return change(ctx, name, status, 'Absent', ['delete', name, '--force']);
  },
});

export const instanceWaitRunning = fn({
  doc: 'Waits until an instance is running (checked every half second, up to timeout, default 60s). In check mode it returns at once.',
  args: [nameArg, arg('opts', luaTable(strictTable({ timeout: durationField.optional() })).optional(), '{ timeout }')],
  returns: 'table: success, status',
  examples: ['incus.instance_wait_running("web-01", { timeout = "2m" })'],
  run: async ([name, opts], ctx) => {
    if (ctx.checkMode) return { success: true, status: undefined };
    const deadline = Date.now() + (opts?.timeout ?? 60_000);
    for (;;) {
      const status = await instanceStatus(ctx, name);
      if (status === 'Running') return { success: true, status };
      if (Date.now() > deadline) {
        throw new SlothError('timeout', `${ctx.fn}: instance ${name} is not running (status: ${status ?? 'absent'})`, {
          hint: 'raise timeout, or look at `incus info --show-log` for why it does not start',
        });
      }
      if (ctx.signal.aborted) throw new SlothError('aborted', `${ctx.fn}: stopped with the task`);
      await new Promise((r) => setTimeout(r, 500));
    }
  },
});

export const exec = fn({
  doc:
    "Runs a command in an instance (incus exec): a list runs as it is, a string through the instance's sh -c. " +
    'In check mode it is not run (skipped = true) unless check_mode = false.',
  args: [
    nameArg,
    arg('command', z.union([z.string().min(1), luaList(z.array(z.string()).min(1))]), 'a list, or a shell line run inside'),
    arg(
      'opts',
      luaTable(
        strictTable({
          env: luaTable(z.record(z.string(), z.string())).optional(),
          check_mode: z.boolean().optional(),
          timeout: durationField.optional(),
        }),
      ).optional(),
      '{ env, check_mode, timeout }',
    ),
  ],
  returns: 'table: success, exit_code, stdout, stderr, error, skipped',
  examples: ['local r = incus.exec("web-01", "apt-get update")\nif not r.success then error(r.error) end'],
  run: async ([name, command, opts], ctx) => {
    if (ctx.checkMode && opts?.check_mode !== false) return notRun(ctx, false, { skipped: true });
    const env = Object.entries(opts?.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    const argv = typeof command === 'string' ? ['sh', '-c', command] : command;
    return incus(ctx, ['exec', name, ...env, '--', ...argv], { timeoutMs: opts?.timeout });
  },
});
