import { arg, fn, luaList, luaTable, type ModuleCallContext, notRun, strictTable, toolJson, z } from '@sloth/core';
import { commandArgs, commandField, DOCKER, docker, envArgs, isMissing, timeoutOption } from './docker-cli.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const envField = luaTable(z.record(z.string(), scalar)).optional();
const listField = luaList(z.array(z.string().min(1))).optional();

const runOptions = strictTable({
  image: z.string().min(1),
  name: z.string().min(1).optional(),
  command: commandField.optional(),
  detach: z.boolean().optional(),
  rm: z.boolean().optional(),
  ports: listField,
  env: envField,
  volumes: listField,
  network: z.string().min(1).optional(),
  restart: z.string().min(1).optional(),
  ...timeoutOption,
});

export const run = fn({
  doc:
    'docker run: detached by default (detach = false waits for it and returns its output). ports ("8080:80"), env, ' +
    'volumes ("/data:/var/lib/data"), network, restart, rm; command: a list, or a string split on spaces. Runs a new ' +
    'container every time (docker.container is the idempotent form). In check mode nothing is run.',
  args: [
    arg('opts', luaTable(runOptions), '{ image, name, command, detach, rm, ports, env, volumes, network, restart, timeout }'),
  ],
  returns: 'table: success, changed, id (detached), exit_code, stdout, stderr, error',
  examples: ['local r = docker.run({ image = "alpine:3", command = { "echo", "hi" }, detach = false, rm = true })'],
  run: async ([o], ctx) => {
    const args = ['run', ...(o.detach === false ? [] : ['-d'])];
    if (o.name) args.push('--name', o.name);
    if (o.rm) args.push('--rm');
    for (const p of o.ports ?? []) args.push('-p', p);
    for (const v of o.volumes ?? []) args.push('-v', v);
    args.push(...envArgs(o.env));
    if (o.network) args.push('--network', o.network);
    if (o.restart) args.push('--restart', o.restart);
    args.push(o.image, ...commandArgs(o.command));
    if (ctx.checkMode) return notRun(ctx, true);
    const r = await docker(ctx, args, { timeoutMs: o.timeout });
    return { ...r, changed: r.success, id: o.detach === false || !r.success ? undefined : r.stdout.trim() };
  },
});

/** A container's state from docker inspect, or undefined when there is none of that name. */
export async function containerState(ctx: ModuleCallContext, name: string): Promise<{ running: boolean } | undefined> {
  const r = await docker(ctx, ['container', 'inspect', '--format', '{{json .State}}', name], { quiet: true });
  if (isMissing(r)) return undefined;
  const state = toolJson(ctx, DOCKER, 'container inspect', r) as { Running?: boolean };
  return { running: state.Running === true };
}

const nameArg = arg(
  'name_or_opts',
  z.union([z.string().min(1), luaTable(strictTable({ name: z.string().min(1), ...timeoutOption }))]),
  'a container name or id, or { name, timeout }',
);
const nameOf = (given: string | { name: string; timeout?: number | undefined }) =>
  typeof given === 'string' ? { name: given, timeout: undefined } : given;

export const stop = fn({
  doc: 'docker stop of a container; changed = false when it is not running or does not exist. Check mode: reports only.',
  args: [nameArg],
  returns: 'table: success, changed, exit_code, stdout, stderr, error',
  examples: ['docker.stop("web")'],
  run: async ([given], ctx) => {
    const { name, timeout } = nameOf(given);
    const state = await containerState(ctx, name);
    if (!state?.running) return notRun(ctx, false);
    if (ctx.checkMode) return notRun(ctx, true);
    const r = await docker(ctx, ['stop', name], { timeoutMs: timeout });
    return { ...r, changed: r.success };
  },
});

export const rm = fn({
  doc: 'docker rm -f of a container (stopped first when running); changed = false when it does not exist. Check mode: reports only.',
  args: [nameArg],
  returns: 'table: success, changed, exit_code, stdout, stderr, error',
  examples: ['docker.rm("web")'],
  run: async ([given], ctx) => {
    const { name, timeout } = nameOf(given);
    if ((await containerState(ctx, name)) === undefined) {
      return notRun(ctx, false);
    }
    if (ctx.checkMode) return notRun(ctx, true);
    const r = await docker(ctx, ['rm', '-f', name], { timeoutMs: timeout });
    return { ...r, changed: r.success };
  },
});

const execOptions = strictTable({
  container: z.string().min(1),
  command: commandField,
  env: envField,
  workdir: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
  check_mode: z.boolean().optional(),
  ...timeoutOption,
});

export const exec = fn({
  doc:
    'docker exec of a command (a list, or a string split on spaces) in a running container, with env, workdir and ' +
    'user. In check mode it is not run (skipped = true) unless check_mode = false (a read-only command).',
  args: [arg('opts', luaTable(execOptions), '{ container, command, env, workdir, user, check_mode, timeout }')],
  returns: 'table: success, exit_code, stdout, stderr, error, skipped',
  examples: [
    'local r = docker.exec({ container = "web", command = { "nginx", "-t" } })\nif not r.success then error(r.error) end',
  ],
  run: async ([o], ctx) => {
    if (ctx.checkMode && o.check_mode !== false) return notRun(ctx, false, { skipped: true });
    const args = ['exec', ...envArgs(o.env)];
    if (o.workdir) args.push('-w', o.workdir);
    if (o.user) args.push('-u', o.user);
    return docker(ctx, [...args, o.container, ...commandArgs(o.command)], { timeoutMs: o.timeout });
  },
});

export const inspect = fn({
  doc: 'docker inspect, decoded: the object (container, image, network or volume) of that name, or nil when none exists.',
  args: [arg('name', z.string().min(1), 'a container, image, network or volume name or id')],
  returns: "table (docker's inspect document: State, Config, NetworkSettings, ...) or nil",
  examples: ['local c = docker.inspect("web")\nif c and c.State.Running then log.info("web is up") end'],
  run: async ([name], ctx) => {
    const r = await docker(ctx, ['inspect', name], { quiet: true });
    if (isMissing(r)) return undefined;
    const all = toolJson(ctx, DOCKER, 'inspect', r) as unknown[];
    return Array.isArray(all) ? all[0] : all;
  },
});

export const ps = fn({
  doc: 'docker ps, decoded (one table per container: ID, Names, Image, State, Status, Ports...); all = true: stopped ones too; filters: { name = "web" }.',
  args: [
    arg(
      'opts',
      luaTable(
        strictTable({ all: z.boolean().optional(), filters: luaTable(z.record(z.string(), z.string())).optional() }),
      ).optional(),
      '{ all, filters }',
    ),
  ],
  returns: 'list of tables',
  examples: ['for _, c in ipairs(docker.ps({ all = true })) do log.info(c.Names .. " " .. c.State) end'],
  run: async ([opts], ctx) => {
    const args = ['ps', '--no-trunc', '--format', '{{json .}}', ...(opts?.all ? ['-a'] : [])];
    for (const [k, v] of Object.entries(opts?.filters ?? {})) args.push('--filter', `${k}=${v}`);
    const r = await docker(ctx, args, { quiet: true });
    return r.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => toolJson(ctx, DOCKER, 'ps', { ...r, stdout: l }));
  },
});

export const logs = fn({
  doc: 'A container\'s logs (docker logs): stdout and stderr as the container wrote them; tail: the last N lines; since: "10m" or a timestamp.',
  args: [
    arg(
      'opts',
      z.union([
        z.string().min(1),
        luaTable(
          strictTable({
            container: z.string().min(1),
            tail: z.number().int().positive().optional(),
            since: z.string().optional(),
          }),
        ),
      ]),
      'a container name, or { container, tail, since }',
    ),
  ],
  returns: 'table: success, exit_code, stdout, stderr, error',
  examples: ['local l = docker.logs({ container = "web", tail = 50 })\nlog.info(l.stdout)'],
  run: async ([given], ctx) => {
    const o = typeof given === 'string' ? { container: given } : given;
    const args = ['logs'];
    if ('tail' in o && o.tail !== undefined) args.push('--tail', String(o.tail));
    if ('since' in o && o.since !== undefined) args.push('--since', o.since);
    return docker(ctx, [...args, o.container], { quiet: true });
  },
});
