import { isAbsolute, resolve } from 'node:path';
import { arg, fn, luaTable, type ModuleCallContext, SlothError, strictTable, z } from '@sloth/core';
import { encodeYaml } from '@sloth/module-data';
import { type ClusterOptions, clusterOptions, kubectl } from './kubectl-cli.js';

const applyOptions = strictTable({
  manifest: z.union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]).optional(),
  file: z.string().min(1).optional(),
  dir: z.string().min(1).optional(),
  recursive: z.boolean().optional(),
  server_side: z.boolean().optional(),
  ...clusterOptions,
});
type ApplyOptions = z.output<typeof applyOptions>;

/** One object kubectl apply reported: "deployment.apps/web configured". */
export interface AppliedObject {
  name: string;
  action: string;
}

/** The objects of kubectl apply's output and what it did to each (created, configured, unchanged, serverside-applied). */
export function appliedObjects(stdout: string): AppliedObject[] {
  const found: AppliedObject[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+\/\S+) (created|configured|unchanged|serverside-applied)\b/.exec(line.trim());
    if (m) found.push({ name: m[1] as string, action: m[2] as string });
  }
  return found;
}

/** The objects kubectl diff found different ("apps.v1.Deployment.default.web"), from its `diff -u -N` headers. */
export function diffedObjects(stdout: string): string[] {
  const names = new Set<string>();
  for (const m of stdout.matchAll(/^diff -u -N \S+\/LIVE-\S+\/(\S+) /gm)) names.add(m[1] as string);
  return [...names];
}

/** The `-f` source: the manifest as YAML documents on stdin, or a file or directory (relative: the task workdir). */
function sourceOf(ctx: ModuleCallContext, o: ApplyOptions): { args: string[]; stdin?: string; label: string } {
  const given = [o.manifest, o.file, o.dir].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new SlothError('invalid_argument', `${ctx.fn}: give exactly one of manifest, file or dir`, {
      hint: 'manifest: a Lua table (or a list of them); file: a YAML file; dir: a directory of them',
    });
  }
  if (o.manifest !== undefined) {
    const docs = Array.isArray(o.manifest) ? o.manifest : [o.manifest];
    const stdin = docs.map((d) => encodeYaml(d, ctx.fn)).join('---\n');
    return { args: ['-f', '-'], stdin, label: 'manifest' };
  }
  const path = (o.file ?? o.dir) as string;
  const full = isAbsolute(path) ? path : resolve(ctx.workdir, path);
  return { args: ['-f', full, ...(o.recursive ? ['-R'] : [])], label: full };
}

const report = (ctx: ModuleCallContext, name: string, changed: boolean, action: string, record: boolean) =>
  ctx.reportResource({
    type: 'k8s_object',
    name,
    fn: ctx.fn,
    changed,
    changes: changed ? { action: { old: undefined, new: action } } : {},
    checkMode: ctx.checkMode,
    record: record ? { action } : undefined,
  });

export const apply = fn({
  doc:
    'kubectl apply of a manifest (a Lua table, or a list of them, sent as YAML), a file or a dir (recursive: -R), ' +
    'in namespace. changed comes from kubectl: any object created or configured (objects lists each with its ' +
    'action; unchanged ones do not count). In check mode it runs kubectl diff instead (server-side: nothing is ' +
    "applied) and changed says whether anything differs. Each object is recorded in the run's stack.",
  args: [
    arg(
      'opts',
      luaTable(applyOptions),
      '{ manifest | file | dir, namespace, recursive, server_side, kubeconfig, context, timeout }',
    ),
  ],
  returns: 'table: success, changed, objects ({ { name, action } }), diff (check mode), exit_code, stdout, stderr, error',
  examples: [
    'local r = kubernetes.apply({ namespace = "web", manifest = {\n  apiVersion = "v1", kind = "ConfigMap",\n  metadata = { name = "settings" }, data = { mode = "prod" },\n} })\nif r.changed then log.info("settings updated") end',
  ],
  run: async ([o], ctx) => applyWith(ctx, o),
});

async function applyWith(ctx: ModuleCallContext, o: ApplyOptions & ClusterOptions) {
  const source = sourceOf(ctx, o);
  if (ctx.checkMode) {
    const r = await kubectl(ctx, o, ['diff', ...source.args, ...(o.server_side ? ['--server-side'] : [])], {
      stdin: source.stdin,
      quiet: true,
    });
    // kubectl diff: 0 no differences, 1 differences, more: it failed.
    const changed = r.exit_code === 1;
    const success = r.exit_code === 0 || changed;
    const objects = diffedObjects(r.stdout);
    for (const name of objects) report(ctx, name, true, 'configured', false);
    if (objects.length === 0 && changed) report(ctx, source.label, true, 'configured', false);
    return { ...r, success, error: success ? undefined : r.error, changed, diff: r.stdout, objects, check_mode: true };
  }
  const r = await kubectl(ctx, o, ['apply', ...source.args, ...(o.server_side ? ['--server-side'] : [])], {
    stdin: source.stdin,
  });
  const objects = appliedObjects(r.stdout);
  for (const obj of objects) report(ctx, obj.name, obj.action !== 'unchanged', obj.action, true);
  return { ...r, changed: objects.some((obj) => obj.action !== 'unchanged'), objects, check_mode: false };
}
