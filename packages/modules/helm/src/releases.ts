import { isDeepStrictEqual } from 'node:util';
import { arg, fn, luaTable, type ModuleCallContext, notRun, strictTable, toolJson, z } from '@sloth/core';
import { encodeYaml } from '@sloth/module-data';
import { type ClusterOptions, clusterOptions, HELM, helm, isMissingRelease } from './helm-cli.js';

/** What `helm status -o json` says of a release (the fields used here). */
export interface ReleaseStatus {
  name: string;
  version: number;
  namespace?: string;
  info: { status: string };
  chart?: { metadata?: { name?: string; version?: string } };
  config?: Record<string, unknown>;
}

/** The release as helm status -o json shows it, or undefined when there is none of that name. */
export async function releaseStatus(ctx: ModuleCallContext, o: ClusterOptions, release: string) {
  const r = await helm(ctx, o, ['status', release, '-o', 'json'], { quiet: true });
  if (isMissingRelease(r)) return undefined;
  return toolJson(ctx, HELM, 'status', r) as ReleaseStatus;
}

const upgradeOptions = strictTable({
  release: z.string().min(1),
  chart: z.string().min(1),
  values: luaTable(z.record(z.string(), z.unknown())).optional(),
  version: z.string().min(1).optional(),
  repo: z.string().min(1).optional(),
  wait: z.boolean().optional(),
  create_namespace: z.boolean().optional(),
  ...clusterOptions,
});
type UpgradeOptions = z.output<typeof upgradeOptions>;

/** Values as helm holds them: its JSON of what was given (an empty table is no values). */
const sameValues = (given: Record<string, unknown> | undefined, held: Record<string, unknown> | undefined) =>
  isDeepStrictEqual(JSON.parse(JSON.stringify(given ?? {})), held ?? {});

async function upgrade(ctx: ModuleCallContext, o: UpgradeOptions) {
  const before = await releaseStatus(ctx, o, o.release);
  // With a pinned version, a deployed release of that chart version and the same values needs nothing: helm would
  // make a new revision anyway, which is not a change.
  const settled =
    before?.info.status === 'deployed' &&
    o.version !== undefined &&
    before.chart?.metadata?.version === o.version &&
    sameValues(o.values, before.config);
  const base = { release: o.release, revision: before?.version, check_mode: ctx.checkMode };
  if (settled) {
    ctx.reportResource({
      type: 'helm_release',
      name: o.release,
      fn: ctx.fn,
      changed: false,
      changes: {},
      checkMode: ctx.checkMode,
      record: ctx.checkMode ? undefined : { chart: o.chart, version: o.version, revision: before.version },
    });
    return notRun(ctx, false, base);
  }
  const args = ['upgrade', '--install', o.release, o.chart];
  if (o.version) args.push('--version', o.version);
  if (o.repo) args.push('--repo', o.repo);
  if (o.wait) args.push('--wait');
  if (o.create_namespace) args.push('--create-namespace');
  if (o.timeout !== undefined) args.push('--timeout', `${Math.ceil(o.timeout / 1000)}s`);
  if (o.values !== undefined) args.push('--values', '-');
  if (ctx.checkMode) args.push('--dry-run');
  const stdin = o.values !== undefined ? encodeYaml(o.values, ctx.fn) : undefined;
  const r = await helm(ctx, o, args, { stdin, quiet: ctx.checkMode });
  const after = r.success && !ctx.checkMode ? await releaseStatus(ctx, o, o.release) : undefined;
  const changed = ctx.checkMode ? r.success : after !== undefined && after.version !== before?.version;
  if (r.success) {
    ctx.reportResource({
      type: 'helm_release',
      name: o.release,
      fn: ctx.fn,
      changed,
      changes: changed ? { revision: { old: before?.version, new: after?.version ?? (before?.version ?? 0) + 1 } } : {},
      checkMode: ctx.checkMode,
      record: after ? { chart: o.chart, version: after.chart?.metadata?.version, revision: after.version } : undefined,
    });
  }
  return { ...r, changed, ...base, revision: after?.version ?? before?.version, status: after?.info.status };
}

const upgradeArg = arg(
  'opts',
  luaTable(upgradeOptions),
  '{ release, chart, values, version, repo, wait, create_namespace, namespace, kubeconfig, kube_context, timeout }',
);
const upgradeDoc =
  'helm upgrade --install of a chart as a release, values from a Lua table (sent as YAML on stdin, never on the ' +
  'command line). changed when the revision moved; with version pinned, a deployed release of that chart ' +
  'version and the same values is left alone (changed = false). In check mode it runs with --dry-run. The release ' +
  "is recorded in the run's stack.";

export const upgradeRelease = fn({
  doc: upgradeDoc,
  args: [upgradeArg],
  returns: 'table: success, changed, release, revision, status, check_mode, exit_code, stdout, stderr, error',
  examples: [
    'local r = helm.upgrade({\n  release = "web", chart = "bitnami/nginx", version = "18.2.0", namespace = "web",\n  values = { replicaCount = 2 }, wait = true,\n})',
  ],
  run: ([o], ctx) => upgrade(ctx, o),
});

export const install = fn({
  doc: `The same as helm.upgrade: ${upgradeDoc}`,
  args: [upgradeArg],
  returns: 'table: success, changed, release, revision, status, check_mode, exit_code, stdout, stderr, error',
  examples: ['helm.install({ release = "cache", chart = "oci://registry-1.docker.io/bitnamicharts/redis", version = "20.1.0" })'],
  run: ([o], ctx) => upgrade(ctx, o),
});

const releaseArg = arg(
  'opts',
  z.union([
    z.string().min(1),
    luaTable(strictTable({ release: z.string().min(1), wait: z.boolean().optional(), ...clusterOptions })),
  ]),
  'a release name, or { release, namespace, wait, kubeconfig, kube_context, timeout }',
);
const releaseOf = (given: string | ({ release: string; wait?: boolean | undefined } & ClusterOptions)) =>
  typeof given === 'string' ? { release: given } : given;

export const uninstall = fn({
  doc: 'helm uninstall of a release; changed = false when there is none. Check mode: reports only.',
  args: [releaseArg],
  returns: 'table: success, changed, check_mode, exit_code, stdout, stderr, error',
  examples: ['helm.uninstall({ release = "web", namespace = "web" })'],
  run: async ([given], ctx) => {
    const o = releaseOf(given);
    const before = await releaseStatus(ctx, o, o.release);
    if (!before) return notRun(ctx, false);
    ctx.reportResource({
      type: 'helm_release',
      name: o.release,
      fn: ctx.fn,
      changed: true,
      changes: { exists: { old: true, new: false } },
      checkMode: ctx.checkMode,
    });
    if (ctx.checkMode) return notRun(ctx, true);
    const r = await helm(ctx, o, ['uninstall', o.release, ...(o.wait ? ['--wait'] : [])]);
    return { ...r, changed: r.success, check_mode: false };
  },
});

export const status = fn({
  doc: 'helm status, decoded from -o json (name, version = the revision, info.status, chart, config = the values given), or nil when there is no such release.',
  args: [releaseArg],
  returns: 'table or nil',
  examples: [
    'local s = helm.status({ release = "web", namespace = "web" })\nif s then log.info(s.info.status .. " at revision " .. s.version) end',
  ],
  run: async ([given], ctx) => {
    const o = releaseOf(given);
    return releaseStatus(ctx, o, o.release);
  },
});

export const list = fn({
  doc: 'helm list, decoded from -o json (name, namespace, revision, status, chart, app_version); all_namespaces: -A.',
  args: [
    arg(
      'opts',
      luaTable(
        strictTable({ all_namespaces: z.boolean().optional(), filter: z.string().optional(), ...clusterOptions }),
      ).optional(),
      '{ namespace, all_namespaces, filter, kubeconfig, kube_context }',
    ),
  ],
  returns: 'list of tables',
  examples: ['for _, r in ipairs(helm.list({ all_namespaces = true })) do log.info(r.name .. " " .. r.status) end'],
  run: async ([opts], ctx) => {
    const o = opts ?? {};
    const args = [
      'list',
      '-o',
      'json',
      ...(o.all_namespaces ? ['--all-namespaces'] : []),
      ...(o.filter ? ['--filter', o.filter] : []),
    ];
    return toolJson(ctx, HELM, 'list', await helm(ctx, o, args, { quiet: true }));
  },
});

export const repoAdd = fn({
  doc: 'helm repo add; changed = false when a repository of that name and URL is there already. Check mode: reports only.',
  args: [
    arg(
      'opts',
      luaTable(
        strictTable({
          name: z.string().min(1),
          url: z.string().min(1),
          force_update: z.boolean().optional(),
          timeout: clusterOptions.timeout,
        }),
      ),
      '{ name, url, force_update, timeout }',
    ),
  ],
  returns: 'table: success, changed, check_mode, exit_code, stdout, stderr, error',
  examples: ['helm.repo_add({ name = "bitnami", url = "https://charts.bitnami.com/bitnami" })'],
  run: async ([o], ctx) => {
    const listed = await helm(ctx, {}, ['repo', 'list', '-o', 'json'], { quiet: true });
    // helm repo list fails with "no repositories to show" when there are none.
    const repos = listed.success ? (toolJson(ctx, HELM, 'repo list', listed) as { name: string; url: string }[]) : [];
    if (repos.some((r) => r.name === o.name && r.url === o.url)) {
      return notRun(ctx, false);
    }
    if (ctx.checkMode) return notRun(ctx, true);
    const r = await helm(ctx, { timeout: o.timeout }, [
      'repo',
      'add',
      o.name,
      o.url,
      ...(o.force_update ? ['--force-update'] : []),
    ]);
    return { ...r, changed: r.success, check_mode: false };
  },
});
