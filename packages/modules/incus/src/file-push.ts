import { arg, fn, luaTable, type ModuleCallContext, notRun, runTool, SlothError, sha256Hex, strictTable, z } from '@sloth/core';
import { INCUS, incusChange, instanceStatus } from './incus-cli.js';

/** What is in the instance at the path now: its bytes and, when asked for and readable, its mode. */
interface PushedFile {
  content: Buffer | undefined;
  mode: number | undefined;
}

/** Reads the file in the instance (incus file pull to stdout); its mode too when one is asked for. */
async function readPushed(ctx: ModuleCallContext, name: string, path: string, withMode: boolean): Promise<PushedFile> {
  const pulled = await runTool(ctx, INCUS, ['file', 'pull', `${name}${path}`, '-'], { quiet: true });
  if (!pulled.success) return { content: undefined, mode: undefined };
  if (!withMode) return { content: pulled.raw.stdoutBytes ?? Buffer.from(pulled.stdout), mode: undefined };
  // incus has no stat of a file: read it inside the instance (a stopped instance: unknown, so it is pushed).
  const stat = await runTool(ctx, INCUS, ['exec', name, '--', 'stat', '-c', '%a', '--', path], { quiet: true });
  const mode = stat.success && /^[0-7]{3,4}$/.test(stat.stdout.trim()) ? Number.parseInt(stat.stdout.trim(), 8) : undefined;
  return { content: pulled.raw.stdoutBytes ?? Buffer.from(pulled.stdout), mode };
}

/** The local file's bytes; a missing one is the user's error, named. */
async function readSource(ctx: ModuleCallContext, source: string): Promise<Buffer> {
  try {
    return Buffer.from(await ctx.host.readFile(source));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') {
      throw new SlothError(
        'not_found',
        `${ctx.fn}: the local file '${source}' ${code === 'ENOENT' ? 'does not exist' : 'is a directory'}`,
        {
          hint: 'a relative path is read from the task workdir',
        },
      );
    }
    throw err;
  }
}

export const filePush = fn({
  doc: 'Copies a local file into an instance (incus file push) when its content or mode there differs; changed = false when it is the same. Check mode: reports only.',
  args: [
    arg('name', z.string().min(1), 'the instance'),
    arg('source', z.string().min(1), 'the local file (relative: the task workdir)'),
    arg('destination', z.string().min(1), 'the path in the instance'),
    arg(
      'opts',
      luaTable(
        strictTable({
          mode: z
            .string()
            .regex(/^[0-7]{3,4}$/)
            .optional(),
        }),
      ).optional(),
      '{ mode = "0644" }',
    ),
  ],
  returns: 'table: success, changed, check_mode, exit_code, stdout, stderr, error',
  examples: ['incus.file_push("web-01", "nginx.conf", "/etc/nginx/nginx.conf", { mode = "0644" })'],
  run: async ([name, source, destination, opts], ctx) => {
    const path = destination.startsWith('/') ? destination : `/${destination}`;
    const wanted = await readSource(ctx, source);
    const mode = opts?.mode === undefined ? undefined : Number.parseInt(opts.mode, 8);
    if ((await instanceStatus(ctx, name)) === undefined) {
      // In check mode an instance a step before would create is not there yet: the push is what would follow.
      if (!ctx.checkMode) {
        throw new SlothError('not_found', `${ctx.fn}: instance ${name} does not exist`, {
          hint: 'create it first (incus.instance({...}):create())',
        });
      }
    }
    const there = await readPushed(ctx, name, path, mode !== undefined);
    const changes: Record<string, { old: unknown; new: unknown }> = {};
    if (there.content === undefined || !there.content.equals(wanted)) {
      changes.content = {
        old: there.content && `sha256:${sha256Hex(there.content)}`,
        new: `sha256:${sha256Hex(wanted)}`,
      };
    }
    if (mode !== undefined && there.mode !== mode) {
      changes.mode = { old: there.mode?.toString(8).padStart(4, '0'), new: mode.toString(8).padStart(4, '0') };
    }
    if (Object.keys(changes).length === 0) return notRun(ctx, false);
    ctx.reportResource({
      type: 'incus_file',
      name: `${name}${path}`,
      fn: ctx.fn,
      changed: true,
      changes,
      checkMode: ctx.checkMode,
    });
    if (ctx.checkMode) return notRun(ctx, true);
    return incusChange(
      ctx,
      ['file', 'push', source, `${name}${path}`, ...(opts?.mode ? ['--mode', opts.mode] : [])],
      `file push to ${name}${path}`,
    );
  },
});
