import { arg, fn, luaList, luaTable, notRun, strictTable, z } from '@sloth/core';
import { docker, timeoutOption } from './docker-cli.js';

const buildOptions = strictTable({
  context: z.string().min(1).optional(),
  tag: z.union([z.string().min(1), luaList(z.array(z.string().min(1)))]).optional(),
  file: z.string().min(1).optional(),
  build_args: luaTable(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).optional(),
  target: z.string().min(1).optional(),
  no_cache: z.boolean().optional(),
  pull: z.boolean().optional(),
  ...timeoutOption,
});

export const build = fn({
  doc:
    'docker build of a context directory (default: the task workdir) with tag (one or a list), file, build_args, ' +
    'target, no_cache and pull. Output streams to the task log. In check mode nothing is built.',
  args: [arg('opts', luaTable(buildOptions).optional(), '{ context, tag, file, build_args, target, no_cache, pull, timeout }')],
  returns: 'table: success, changed, exit_code, stdout, stderr, error',
  examples: [
    'local b = docker.build({ context = "app", tag = "registry.local/app:1.2" })\nif not b.success then error(b.error) end',
  ],
  run: async ([opts], ctx) => {
    const o = opts ?? {};
    const args = ['build'];
    for (const t of typeof o.tag === 'string' ? [o.tag] : (o.tag ?? [])) args.push('-t', t);
    if (o.file) args.push('-f', o.file);
    for (const k of Object.keys(o.build_args ?? {}).sort()) args.push('--build-arg', `${k}=${String(o.build_args?.[k])}`);
    if (o.target) args.push('--target', o.target);
    if (o.no_cache) args.push('--no-cache');
    if (o.pull) args.push('--pull');
    args.push(o.context ?? '.');
    if (ctx.checkMode) return notRun(ctx, true);
    const r = await docker(ctx, args, { timeoutMs: o.timeout });
    return { ...r, changed: r.success };
  },
});

const imageArg = arg(
  'image_or_opts',
  z.union([z.string().min(1), luaTable(strictTable({ image: z.string().min(1), ...timeoutOption }))]),
  'an image reference, or { image, timeout }',
);
const imageOf = (given: string | { image: string; timeout?: number | undefined }) =>
  typeof given === 'string' ? { image: given, timeout: undefined } : given;

export const pull = fn({
  doc:
    'docker pull of an image; changed when a newer image was downloaded (docker says "Image is up to date" ' +
    'otherwise). In check mode nothing is pulled.',
  args: [imageArg],
  returns: 'table: success, changed, exit_code, stdout, stderr, error',
  examples: ['local p = docker.pull("nginx:1.27")\nif p.changed then log.info("new nginx image") end'],
  run: async ([given], ctx) => {
    const { image, timeout } = imageOf(given);
    if (ctx.checkMode) return notRun(ctx, true);
    const r = await docker(ctx, ['pull', image], { timeoutMs: timeout });
    return { ...r, changed: r.success && !/Image is up to date/.test(r.stdout) };
  },
});

export const push = fn({
  doc:
    'docker push of an image; changed unless every layer already existed in the registry. In check mode nothing ' + 'is pushed.',
  args: [imageArg],
  returns: 'table: success, changed, digest, exit_code, stdout, stderr, error',
  examples: ['docker.push("registry.local/app:1.2")'],
  run: async ([given], ctx) => {
    const { image, timeout } = imageOf(given);
    if (ctx.checkMode) return notRun(ctx, true);
    const r = await docker(ctx, ['push', image], { timeoutMs: timeout });
    const digest = /digest: (sha256:[0-9a-f]+)/.exec(r.stdout)?.[1];
    // Each layer prints several statuses ("Preparing", then "Pushed" or "Layer already exists"): its last one counts.
    const last = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const m = /^([0-9a-f]{6,}): (.*)$/.exec(line);
      if (m) last.set(m[1] as string, m[2] as string);
    }
    const changed = r.success && [...last.values()].some((status) => status !== 'Layer already exists');
    return { ...r, changed, digest };
  },
});
