import { arg, fn, luaList, luaTable, notRun, strictTable, toolJson, z } from '@sloth/core';
import { clusterOptions, isNotFound, KUBECTL, kubectl } from './kubectl-cli.js';

const clusterOnly = luaTable(strictTable({ ...clusterOptions, selector: z.string().min(1).optional() })).optional();

export const get = fn({
  doc:
    'kubectl get, decoded from -o json: one object (kind and name), nil when it does not exist; or, without name, ' +
    'the list (its items; selector: a label selector).',
  args: [
    arg('kind', z.string().min(1), 'a kind ("deployment", "pods", "configmap")'),
    arg('name', z.string().min(1).optional(), 'the object; nil: all of the kind'),
    arg('opts', clusterOnly, '{ namespace, selector, kubeconfig, context, timeout }'),
  ],
  returns: 'table: the object as the API server returns it (metadata, spec, status), or { items = {...} }, or nil',
  examples: [
    'local d = kubernetes.get("deployment", "web", { namespace = "prod" })\nif d then log.info(d.status.readyReplicas .. " ready") end',
  ],
  run: async ([kind, name, opts], ctx) => {
    const o = opts ?? {};
    const args = ['get', kind, ...(name ? [name] : []), '-o', 'json', ...(o.selector ? ['-l', o.selector] : [])];
    const r = await kubectl(ctx, o, args, { quiet: true });
    if (name && isNotFound(r)) return undefined;
    return toolJson(ctx, KUBECTL, 'get', r);
  },
});

export const del = fn({
  doc:
    'kubectl delete of an object; changed = false when it did not exist. In check mode a server dry run reports ' +
    'whether it would be deleted.',
  args: [
    arg('kind', z.string().min(1)),
    arg('name', z.string().min(1)),
    arg(
      'opts',
      luaTable(strictTable({ ...clusterOptions, wait: z.boolean().optional() })).optional(),
      '{ namespace, wait, kubeconfig, context, timeout }',
    ),
  ],
  returns: 'table: success, changed, check_mode, exit_code, stdout, stderr, error',
  examples: ['kubernetes.delete("configmap", "settings", { namespace = "prod" })'],
  run: async ([kind, name, opts], ctx) => {
    const o = opts ?? {};
    const args = ['delete', kind, name, '--ignore-not-found', ...(o.wait === false ? ['--wait=false'] : [])];
    if (ctx.checkMode) args.push('--dry-run=server');
    const r = await kubectl(ctx, o, args);
    const changed = r.success && r.stdout.trim() !== '';
    if (changed) {
      ctx.reportResource({
        type: 'k8s_object',
        name: `${kind}/${name}`,
        fn: ctx.fn,
        changed,
        changes: { exists: { old: true, new: false } },
        checkMode: ctx.checkMode,
      });
    }
    return { ...r, changed, check_mode: ctx.checkMode };
  },
});

const rolloutOptions = strictTable({
  resource: z.string().min(1),
  to_revision: z.number().int().positive().optional(),
  ...clusterOptions,
});
const rolloutArg = arg(
  'opts',
  z.union([z.string().min(1), luaTable(rolloutOptions)]),
  'a resource ("deployment/web"), or { resource, namespace, kubeconfig, context, timeout }',
);
const rolloutOf = (given: string | z.output<typeof rolloutOptions>) => (typeof given === 'string' ? { resource: given } : given);

export const rolloutStatus = fn({
  doc: 'kubectl rollout status: waits until the rollout of a deployment, daemonset or statefulset is done (success = false when it failed or timed out on the server side).',
  args: [rolloutArg],
  returns: 'table: success, exit_code, stdout, stderr, error',
  examples: ['local s = kubernetes.rollout_status({ resource = "deployment/web", namespace = "prod", timeout = "5m" })'],
  run: async ([given], ctx) => {
    const o = rolloutOf(given);
    const limit = o.timeout !== undefined ? [`--timeout=${Math.ceil(o.timeout / 1000)}s`] : [];
    return kubectl(ctx, o, ['rollout', 'status', o.resource, ...limit]);
  },
});

export const rolloutRestart = fn({
  doc: 'kubectl rollout restart: new pods for a deployment, daemonset or statefulset. Check mode: not run (changed = true).',
  args: [rolloutArg],
  returns: 'table: success, changed, check_mode, exit_code, stdout, stderr, error',
  examples: ['kubernetes.rollout_restart("deployment/web")'],
  run: async ([given], ctx) => {
    const o = rolloutOf(given);
    if (ctx.checkMode) return notRun(ctx, true);
    const r = await kubectl(ctx, o, ['rollout', 'restart', o.resource]);
    return { ...r, changed: r.success, check_mode: false };
  },
});

export const rolloutUndo = fn({
  doc: 'kubectl rollout undo: back to the previous revision (or to_revision); changed unless kubectl says it was skipped. Check mode: a server dry run.',
  args: [rolloutArg],
  returns: 'table: success, changed, check_mode, exit_code, stdout, stderr, error',
  examples: ['kubernetes.rollout_undo({ resource = "deployment/web", to_revision = 3 })'],
  run: async ([given], ctx) => {
    const o = rolloutOf(given);
    const args = ['rollout', 'undo', o.resource];
    if ('to_revision' in o && o.to_revision !== undefined) args.push(`--to-revision=${o.to_revision}`);
    if (ctx.checkMode) args.push('--dry-run=server');
    const r = await kubectl(ctx, o, args);
    return { ...r, changed: r.success && !/skipped/.test(r.stdout), check_mode: ctx.checkMode };
  },
});

export const setImage = fn({
  doc:
    'kubectl set image of one container of a resource; changed when kubectl updated it (it prints nothing when the ' +
    'image is already that). Check mode: a server dry run.',
  args: [
    arg(
      'opts',
      luaTable(
        strictTable({ resource: z.string().min(1), container: z.string().min(1), image: z.string().min(1), ...clusterOptions }),
      ),
      '{ resource, container, image, namespace, kubeconfig, context, timeout }',
    ),
  ],
  returns: 'table: success, changed, check_mode, exit_code, stdout, stderr, error',
  examples: ['kubernetes.set_image({ resource = "deployment/web", container = "web", image = "nginx:1.28" })'],
  run: async ([o], ctx) => {
    const args = ['set', 'image', o.resource, `${o.container}=${o.image}`, ...(ctx.checkMode ? ['--dry-run=server'] : [])];
    const r = await kubectl(ctx, o, args);
    return { ...r, changed: r.success && /image updated/.test(r.stdout), check_mode: ctx.checkMode };
  },
});

export const wait = fn({
  doc: 'kubectl wait until a condition holds: for = "condition=Available", "delete" or "jsonpath=..."; success = false when it did not in time.',
  args: [
    arg(
      'opts',
      luaTable(
        strictTable({
          resource: z.string().min(1),
          for: z.string().min(1),
          selector: z.string().min(1).optional(),
          ...clusterOptions,
        }),
      ),
      '{ resource, for, selector, namespace, kubeconfig, context, timeout }',
    ),
  ],
  returns: 'table: success, exit_code, stdout, stderr, error',
  examples: ['kubernetes.wait({ resource = "deployment/web", ["for"] = "condition=Available", timeout = "2m" })'],
  run: async ([o], ctx) => {
    const args = ['wait', o.resource, `--for=${o.for}`, ...(o.selector ? ['-l', o.selector] : [])];
    // kubectl's own limit, just under ours, so it answers "timed out" instead of being killed.
    if (o.timeout !== undefined) args.push(`--timeout=${Math.max(1, Math.floor(o.timeout / 1000) - 1)}s`);
    return kubectl(ctx, o, args);
  },
});

export const logs = fn({
  doc: 'kubectl logs of a pod (or "deployment/web"): container, tail, since ("10m"), previous.',
  args: [
    arg(
      'opts',
      luaTable(
        strictTable({
          resource: z.string().min(1),
          container: z.string().min(1).optional(),
          tail: z.number().int().positive().optional(),
          since: z.string().min(1).optional(),
          previous: z.boolean().optional(),
          ...clusterOptions,
        }),
      ),
      '{ resource, container, tail, since, previous, namespace, kubeconfig, context, timeout }',
    ),
  ],
  returns: 'table: success, exit_code, stdout, stderr, error',
  examples: ['local l = kubernetes.logs({ resource = "deployment/web", tail = 100 })\nlog.info(l.stdout)'],
  run: async ([o], ctx) => {
    const args = ['logs', o.resource];
    if (o.container) args.push('-c', o.container);
    if (o.tail !== undefined) args.push(`--tail=${o.tail}`);
    if (o.since) args.push(`--since=${o.since}`);
    if (o.previous) args.push('--previous');
    return kubectl(ctx, o, args, { quiet: true });
  },
});

export const exec = fn({
  doc: 'kubectl exec of a command (a list) in a pod (or "deployment/web"). In check mode it is not run (skipped = true) unless check_mode = false.',
  args: [
    arg(
      'opts',
      luaTable(
        strictTable({
          resource: z.string().min(1),
          command: luaList(z.array(z.string()).min(1)),
          container: z.string().min(1).optional(),
          check_mode: z.boolean().optional(),
          ...clusterOptions,
        }),
      ),
      '{ resource, command, container, check_mode, namespace, kubeconfig, context, timeout }',
    ),
  ],
  returns: 'table: success, exit_code, stdout, stderr, error, skipped',
  examples: ['local r = kubernetes.exec({ resource = "deployment/web", command = { "nginx", "-t" } })'],
  run: async ([o], ctx) => {
    if (ctx.checkMode && o.check_mode !== false) return notRun(ctx, false, { skipped: true });
    return kubectl(ctx, o, ['exec', o.resource, ...(o.container ? ['-c', o.container] : []), '--', ...o.command]);
  },
});

export const scale = fn({
  doc: 'kubectl scale to a number of replicas; changed = false when it has that many already. Check mode: reports only.',
  args: [
    arg(
      'opts',
      luaTable(strictTable({ resource: z.string().min(1), replicas: z.number().int().min(0), ...clusterOptions })),
      '{ resource, replicas, namespace, kubeconfig, context, timeout }',
    ),
  ],
  returns: 'table: success, changed, replicas, check_mode, exit_code, stdout, stderr, error',
  examples: ['kubernetes.scale({ resource = "deployment/web", replicas = 3 })'],
  run: async ([o], ctx) => {
    const current = toolJson(ctx, KUBECTL, 'get', await kubectl(ctx, o, ['get', o.resource, '-o', 'json'], { quiet: true })) as {
      spec?: { replicas?: number };
    };
    const was = current.spec?.replicas;
    if (was === o.replicas) return notRun(ctx, false, { replicas: was });
    if (ctx.checkMode) return notRun(ctx, true, { replicas: was });
    const r = await kubectl(ctx, o, ['scale', o.resource, `--replicas=${o.replicas}`]);
    return { ...r, changed: r.success, replicas: r.success ? o.replicas : was, check_mode: false };
  },
});
