import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  arg,
  converge,
  defineModule,
  defineResource,
  durationField,
  fn,
  luaTable,
  type ModuleCallContext,
  SlothError,
  sha256Hex,
  shellQuote,
  strictTable,
  z,
} from '@sloth/core';
import { parseArgs } from '@sloth/core/internal';
import { SKIPPED_IN_CHECK_MODE, toExecResult } from '@sloth/module-exec';
import { type ConnectOptions, connectionKey, connectOptions, describeTarget, pathFrom } from '@sloth/ssh';
import { connectionArg, hostOf, poolOf, recordConnection } from './connections.js';

const execOptions = strictTable({
  stdin: z.string().optional(),
  env: luaTable(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))).optional(),
  timeout: durationField.optional(),
  sudo: z.union([z.boolean(), z.string().min(1)]).optional(),
  check_mode: z.boolean().optional(),
});

const connect = fn({
  doc:
    'Opens (or reuses: one connection per user, host and port for the whole run) an SSH connection and returns it, ' +
    'with methods :exec(cmd, opts), :upload(local, remote, { mode }), :download(remote, local) and :close(). The ' +
    "host key is checked against known_hosts_file (default: the data directory's known_hosts): accept-new records a " +
    'new host, strict refuses it, a changed key is always refused. Passwords and passphrases should come from ' +
    'secret.get; they stay on this side and never appear in logs or errors.',
  args: [
    arg(
      'opts',
      connectOptions,
      '{ host, port = 22, user, key_file | key | password | agent = true, passphrase, known_hosts_file, host_key_check = "accept-new"|"strict"|"off", timeout = "10s", jump = { host, port, user, ... } }',
    ),
  ],
  returns: 'a connection: { host, port, user } with :exec, :upload, :download, :close',
  examples: [
    'local conn = ssh.connect({ host = "10.0.0.5", user = "deploy", key_file = "~/.ssh/deploy" })\nlocal r = conn:exec("uptime")\nlog.info(r.stdout)',
    'local conn = ssh.connect({ host = "db", user = "admin", password = secret.get("db_ssh_password"), jump = { host = "bastion", user = "admin" } })',
  ],
  lua: `function(opts)
  local conn = M._connect(opts)
  conn.exec = function(self, cmd, o) return M.exec(self, cmd, o) end
  conn.upload = function(self, local_path, remote_path, o)
    return M.upload({ connection = self, local_path = local_path, remote_path = remote_path, mode = o and o.mode })
  end
  conn.download = function(self, remote_path, local_path)
    return M.download({ connection = self, remote_path = remote_path, local_path = local_path })
  end
  conn.close = function(self) return M.close(self) end
  return conn
end`,
  run: () => {
    throw new SlothError('internal', 'ssh.connect runs through its Lua wrapper');
  },
});

const connectInternal = fn({
  doc: 'ssh.connect (internal: see ssh.connect).',
  args: [arg('opts', z.unknown())],
  returns: 'table',
  run: async ([raw], ctx) => {
    // Checked here, so that a mistake is reported as connect's (under the module name the workflow used).
    const module = ctx.fn.slice(0, ctx.fn.lastIndexOf('.'));
    const [opts] = parseArgs(module, 'connect', connect, [raw]) as [ConnectOptions];
    const options = withPaths(opts, ctx);
    // Connected now, so that a wrong key or host fails at this line rather than at the first command.
    await poolOf(ctx).get(options, ctx.signal);
    return recordConnection(options);
  },
});

const exec = fn({
  doc:
    'Runs a shell command on the host (POSIX sh) and waits for it; its output streams to the task log as it comes. ' +
    'A failing command does not raise: check success. A timeout kills the command on the host too. sudo = true runs ' +
    'it as root (sudo -n: a password prompt fails instead of hanging), sudo = "user" as that user. In check mode it ' +
    'is not run (skipped = true) unless check_mode = false says it only reads.',
  args: [
    arg('connection', connectionArg, 'a connection from ssh.connect, or connect options'),
    arg('cmd', z.string().min(1, 'expected a command'), 'a shell command line'),
    arg(
      'opts',
      execOptions.optional(),
      '{ stdin, env = { NAME = value }, timeout = "30s", sudo = true|"user", check_mode = false }',
    ),
  ],
  returns: '{ success, exit_code, stdout, stderr, duration_ms, timed_out, error, skipped }',
  examples: [
    'local r = ssh.exec(conn, "systemctl is-active nginx", { check_mode = false })',
    'ssh.exec({ host = "10.0.0.5", user = "deploy", key_file = "keys/deploy" }, "apt-get update", { sudo = true, timeout = "5m" })',
  ],
  run: async ([connection, cmd, opts = {}], ctx) => {
    const options = withPaths(connection, ctx);
    if (ctx.checkMode && opts.check_mode !== false) {
      ctx.log.log(
        'info',
        `skipped (check mode): \`${cmd}\` on ${describeTarget(options)} (pass check_mode = false to run a read-only command)`,
      );
      return { ...SKIPPED_IN_CHECK_MODE };
    }
    const conn = await poolOf(ctx).get(options, ctx.signal);
    const env = Object.entries(opts.env ?? {}).map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
        throw new SlothError('invalid_argument', `${ctx.fn}: env name '${k}' is not a valid variable name`);
      return `export ${k}=${shellQuote(v)}\n`;
    });
    const r = await conn.exec(env.join('') + cmd, {
      stdin: opts.stdin,
      timeoutMs: opts.timeout,
      sudo: opts.sudo,
      signal: ctx.signal,
      onLine: (stream, line) => ctx.log.log(stream === 'stderr' ? 'warn' : 'info', line, undefined, stream),
    });
    if (r.aborted)
      throw new SlothError('aborted', `${ctx.fn}: \`${cmd}\` on ${conn.name} was stopped (the task timed out or was cancelled)`);
    return toExecResult(cmd, r, opts.timeout);
  },
});

const uploadOptions = strictTable({
  connection: connectionArg,
  local_path: z.string().min(1),
  remote_path: z.string().min(1),
  mode: z
    .union([z.string().regex(/^0?[0-7]{3,4}$/, 'expected an octal mode like "0644"'), z.number().int()])
    .transform((m) => (typeof m === 'number' ? m : Number.parseInt(m, 8)))
    .optional(),
});

/** A file on an SSH host with the content of a local file: what upload converges. */
const remoteFile = defineResource({
  type: 'remote_file',
  desired: z.object({ sha256: z.string(), mode: z.number().optional() }),
  async read(ctx, path) {
    const r = await ctx.host.run(`sha256sum -- ${shellQuote(path)} && stat -c %a -- ${shellQuote(path)}`);
    if (r.exitCode !== 0) return undefined;
    const [sum = '', mode = ''] = r.stdout.split('\n');
    return { sha256: sum.split(' ')[0] ?? '', mode: Number.parseInt(mode, 8) };
  },
  async apply() {
    // Done by upload itself (SFTP on the connection), which knows the local file.
  },
});

const upload = fn({
  doc:
    'Copies a local file (relative: the task workdir) to the host byte for byte over SFTP, written to a temp name ' +
    'and renamed over the target. Idempotent: when the remote file already has the same content (sha256) and mode, ' +
    'nothing is sent and changed = false. In check mode it reports what would change and sends nothing.',
  args: [arg('opts', uploadOptions, '{ connection, local_path, remote_path, mode = "0644" }')],
  returns: '{ changed, changes, host, remote_path }',
  examples: ['ssh.upload({ connection = conn, local_path = "dist/app.tar.gz", remote_path = "/tmp/app.tar.gz" })'],
  run: async ([opts], ctx) => {
    const options = withPaths(opts.connection, ctx);
    const localPath = resolve(ctx.workdir, opts.local_path);
    const content = await readFile(localPath).catch((err: NodeJS.ErrnoException) => {
      throw new SlothError(
        err.code === 'ENOENT' ? 'not_found' : 'task_failed',
        `${ctx.fn}: cannot read ${localPath}: ${err.code ?? err.message}`,
      );
    });
    const sha256 = sha256Hex(content);
    const onHost = { ...ctx, host: hostOf(ctx, options) };
    const outcome = await converge(
      {
        ...remoteFile,
        apply: async () => (await poolOf(ctx).get(options, ctx.signal)).upload(localPath, opts.remote_path, opts.mode),
      },
      opts.remote_path,
      { sha256, mode: opts.mode },
      onHost,
    );
    return { changed: outcome.changed, changes: outcome.changes, host: onHost.host.name, remote_path: opts.remote_path };
  },
});

const downloadOptions = strictTable({
  connection: connectionArg,
  remote_path: z.string().min(1),
  local_path: z.string().min(1),
});

const download = fn({
  doc:
    'Copies a file from the host here (relative local_path: the task workdir) byte for byte over SFTP. Idempotent: ' +
    'when the local file already has the remote content (sha256), nothing is transferred and changed = false. In ' +
    'check mode it reports what would change and writes nothing.',
  args: [arg('opts', downloadOptions, '{ connection, remote_path, local_path }')],
  returns: '{ changed, local_path }',
  examples: ['ssh.download({ connection = conn, remote_path = "/var/log/app.log", local_path = "logs/app.log" })'],
  run: async ([opts], ctx) => {
    const options = withPaths(opts.connection, ctx);
    const localPath = resolve(ctx.workdir, opts.local_path);
    const remote = await hostOf(ctx, options).run(`sha256sum -- ${shellQuote(opts.remote_path)}`);
    if (remote.exitCode !== 0) {
      throw new SlothError(
        'not_found',
        `${ctx.fn}: cannot read ${opts.remote_path} on ${describeTarget(options)}: ${remote.stderr.trim()}`,
      );
    }
    const want = remote.stdout.split(' ')[0];
    const here = await readFile(localPath).then(
      (b) => sha256Hex(b),
      () => undefined,
    );
    const changed = here !== want;
    if (changed && !ctx.checkMode) await (await poolOf(ctx).get(options, ctx.signal)).download(opts.remote_path, localPath);
    ctx.reportResource({
      type: 'file',
      name: localPath,
      fn: ctx.fn,
      changed,
      changes: changed ? { sha256: { old: here, new: want } } : {},
      checkMode: ctx.checkMode,
    });
    return { changed, local_path: localPath };
  },
});

const close = fn({
  doc: 'Closes a connection now (otherwise the run closes it when it ends); a later call opens a new one.',
  args: [arg('connection', connectionArg, 'a connection from ssh.connect')],
  returns: 'nothing',
  examples: ['ssh.close(conn)'],
  run: async ([connection], ctx) => {
    await poolOf(ctx).closeOne(connectionKey(withPaths(connection, ctx)));
  },
});

/** Key and known-hosts files relative to the task workdir, `~` to the home directory. */
function withPaths(options: ConnectOptions, ctx: ModuleCallContext): ConnectOptions {
  const at = (p: string | undefined) => (p === undefined ? undefined : pathFrom(ctx.workdir, p));
  return {
    ...options,
    ...(options.key_file ? { key_file: at(options.key_file) } : {}),
    ...(options.known_hosts_file ? { known_hosts_file: at(options.known_hosts_file) } : {}),
    ...(options.jump ? { jump: withPaths({ ...options.jump, jump: undefined }, ctx) } : {}),
  };
}

export const sshModule = defineModule({
  name: 'ssh',
  importFrom: import.meta.url,
  doc:
    'Commands and file transfers on hosts over SSH (ssh2, no ssh binary needed): connect, exec, upload, download, ' +
    'close. Connections are pooled for the run (one per user, host and port, many commands each) and closed when it ' +
    'ends. Host keys are checked (accept-new by default, a changed key is refused). Each function takes a connection ' +
    'or the connect options directly.',
  functions: { connect, exec, upload, download, close },
  internals: { _connect: connectInternal },
});
