import { randomBytes } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type ProcessResult, SlothError, StreamCapture, shellQuote } from '@sloth/core/internal';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { type ConnectOptions, describeTarget } from './connect-options.js';
import type { KnownHosts } from './known-hosts.js';

/** How one remote command runs: its input, limits and where its lines go. */
export interface RemoteExecOptions {
  stdin?: string | Uint8Array | AsyncIterable<Uint8Array> | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  onLine?: ((stream: 'stdout' | 'stderr', line: string) => void) | undefined;
  maxCaptureBytes?: number | undefined;
  /** Run it through `sudo -n` (a password prompt fails instead of hanging): as root, or as the user named. */
  sudo?: boolean | string | undefined;
}

/** What a remote command gave: as a local process's result, plus its stdout's bytes (files read with cat). */
export interface RemoteResult extends ProcessResult {
  stdoutBytes: Buffer;
}

const DEFAULT_CAPTURE = 8 * 1024 * 1024;
/** After a kill, how long to wait for the channel to close before giving up on it. */
const CLOSE_GRACE_MS = 3000;
/** The line our wrapper prints first: the remote shell's pid, which sshd made a session (and group) leader. */
const PID_LINE = /^SLOTHPID (\d+)\n/;
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** How a channel's command ended, as ssh2 reported it. */
interface ExitStatus {
  code: number | null;
  signal: string | null;
}

/** A channel with its end already listened to. */
interface OpenChannel {
  stream: ClientChannel;
  status: ExitStatus;
  closed: Promise<void>;
}

/**
 * One authenticated SSH connection (ssh2): many commands and file transfers share it, each on its own channel.
 * Commands run under `/bin/sh`, so a host needs only a POSIX shell.
 */
export class SshConnection {
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private closed = false;
  private readonly onClosed: Array<() => void> = [];

  private constructor(
    private readonly client: Client,
    readonly options: ConnectOptions,
    private readonly jumpVia: SshConnection | undefined,
  ) {
    client.on('close', () => {
      this.closed = true;
      for (const f of this.onClosed.splice(0)) f();
    });
    client.on('error', () => {});
  }

  /** `user@host:port`, for messages. */
  get name(): string {
    return describeTarget(this.options);
  }

  /** False once the connection dropped or was closed: the pool opens a new one. */
  get usable(): boolean {
    return !this.closed;
  }

  /** Opens and authenticates a connection (through `jump` first when given), checking the host key. */
  static async open(options: ConnectOptions, knownHosts: KnownHosts, signal?: AbortSignal): Promise<SshConnection> {
    const jumpVia = options.jump ? await SshConnection.open({ ...options.jump, jump: undefined }, knownHosts, signal) : undefined;
    try {
      const sock = jumpVia ? await jumpVia.forward(options.host, options.port) : undefined;
      const client = await connectClient(options, knownHosts, sock, signal);
      return new SshConnection(client, options, jumpVia);
    } catch (err) {
      jumpVia?.close();
      throw err;
    }
  }

  /** Runs `command` (a shell script) there; output streams line by line; a timeout or abort kills its process group. */
  async exec(command: string, options: RemoteExecOptions = {}): Promise<RemoteResult> {
    const started = performance.now();
    if (options.signal?.aborted) return emptyResult(started, { aborted: true });
    const as = typeof options.sudo === 'string' ? `-u ${shellQuote(options.sudo)} ` : '';
    const inner = options.sudo ? `exec sudo -n ${as}-- /bin/sh -c ${shellQuote(command)}` : command;
    const { stream: channel, status, closed: done } = await this.channel(`printf 'SLOTHPID %s\\n' "$$"; ${inner}`);
    const limit = options.maxCaptureBytes ?? DEFAULT_CAPTURE;
    const out = new StreamCapture('stdout', limit, options.onLine);
    const err = new StreamCapture('stderr', limit, options.onLine);
    let pid: number | undefined;
    let head: Buffer | undefined = Buffer.alloc(0);
    let timedOut = false;
    let aborted = false;

    channel.on('data', (chunk: Buffer) => {
      if (head === undefined) return out.push(chunk);
      head = Buffer.concat([head, chunk]);
      const match = PID_LINE.exec(head.toString('latin1'));
      if (match) {
        pid = Number(match[1]);
        const rest = head.subarray(match[0].length);
        head = undefined;
        if (rest.length > 0) out.push(rest);
        if (stopping) kill();
      } else if (head.length > 64 || head.includes(10)) {
        // Not our line (a login script printed first): keep everything as output.
        const all = head;
        head = undefined;
        out.push(all);
      }
    });
    channel.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    let onLost = () => {};
    const lost = new Promise<'lost'>((resolve) => {
      onLost = () => resolve('lost');
      this.onClosed.push(onLost);
    });

    let stopping = false;
    const kill = () => void this.kill(pid, Boolean(options.sudo)).finally(() => channel.close());
    const stop = (why: 'timeout' | 'abort') => {
      if (why === 'timeout') timedOut = true;
      else aborted = true;
      stopping = true;
      // Before the shell said its pid there is nothing to kill yet: it is killed as soon as it does.
      if (pid !== undefined) kill();
    };
    const timer = options.timeoutMs ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;
    const onAbort = () => stop('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    void feed(channel, options.stdin);
    try {
      const first = await Promise.race([done, lost]);
      if (first === 'lost' && !timedOut && !aborted) {
        throw new SlothError('unavailable', `ssh ${this.name}: the connection was lost while a command was running`, {
          hint: 'check that the host is up and reachable; the command may or may not have finished there',
        });
      }
      if (timedOut || aborted) {
        await Promise.race([done, lost, delay(CLOSE_GRACE_MS)]);
        // The shell never said its pid (it did not start): closing the channel is all there is to do.
        if (pid === undefined) channel.close();
      } else {
        // The channel may close before its buffered output has flowed to the listeners above.
        await Promise.race([Promise.all([drained(channel), drained(channel.stderr)]), delay(CLOSE_GRACE_MS)]);
      }
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const at = this.onClosed.indexOf(onLost);
      if (at !== -1) this.onClosed.splice(at, 1);
    }
    if (head !== undefined && head.length > 0) out.push(head);
    out.end();
    err.end();
    return {
      exitCode: timedOut || aborted ? null : status.code,
      signal: timedOut || aborted ? 'SIGKILL' : status.signal,
      stdout: out.text(),
      stdoutBytes: out.bytes(),
      stderr: err.text(),
      durationMs: performance.now() - started,
      timedOut,
      aborted,
      truncated: out.truncated || err.truncated,
    };
  }

  /** Copies a local file there byte for byte (to a temp name, then renamed over the target), with `mode` if given. */
  async upload(localPath: string, remotePath: string, mode?: number): Promise<void> {
    const sftp = await this.sftp();
    const temp = `${remotePath}.sloth-${randomBytes(4).toString('hex')}`;
    try {
      await sftpCall<void>((cb) => sftp.fastPut(localPath, temp, mode === undefined ? {} : { mode }, cb));
      if (mode !== undefined) await sftpCall<void>((cb) => sftp.chmod(temp, mode, cb));
      await sftpCall<void>((cb) => sftp.ext_openssh_rename(temp, remotePath, cb));
    } catch (err) {
      await sftpCall<void>((cb) => sftp.unlink(temp, cb)).catch(() => {});
      throw this.transferError('upload', `${localPath} to ${remotePath}`, err);
    }
  }

  /** Copies a remote file here byte for byte (to a temp name, then renamed over `localPath`). */
  async download(remotePath: string, localPath: string): Promise<void> {
    const sftp = await this.sftp();
    const temp = `${localPath}.sloth-${randomBytes(4).toString('hex')}`;
    try {
      await sftpCall<void>((cb) => sftp.fastGet(remotePath, temp, cb));
      await rename(temp, localPath);
    } catch (err) {
      await rm(temp, { force: true });
      throw this.transferError('download', `${remotePath} to ${localPath}`, err);
    }
  }

  /** Closes the connection (and its jump host's); running commands end with it. */
  close(): void {
    this.closed = true;
    this.client.end();
    this.jumpVia?.close();
  }

  /** A TCP stream to host:port opened from this host (a jump). */
  private forward(host: string, port: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
        if (err) {
          reject(
            new SlothError('unavailable', `ssh ${this.name}: cannot reach ${host}:${port} from this jump host: ${err.message}`),
          );
        } else resolve(stream);
      });
    });
  }

  /**
   * Opens a channel running `command`. Its exit status and close are listened to inside ssh2's callback: ssh2 may emit
   * them while reading the same packet that opened the channel, before an awaiting caller could attach listeners.
   */
  private channel(command: string): Promise<OpenChannel> {
    if (this.closed) {
      return Promise.reject(new SlothError('unavailable', `ssh ${this.name}: the connection is closed`));
    }
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, stream) => {
        if (err) {
          reject(
            new SlothError('unavailable', `ssh ${this.name}: cannot open a channel: ${err.message}`, {
              hint: "the host's sshd may limit sessions per connection (MaxSessions)",
            }),
          );
          return;
        }
        const status: ExitStatus = { code: null, signal: null };
        stream.on('exit', (code: number | null, signalName?: string) => {
          status.code = code ?? null;
          status.signal = signalName ?? null;
        });
        const closed = new Promise<void>((done) => stream.on('close', () => done()));
        resolve({ stream, status, closed });
      });
    });
  }

  /** Kills the command's process group there, from a channel of its own (closing a channel does not stop it). */
  private async kill(pid: number | undefined, sudo: boolean): Promise<void> {
    if (pid === undefined || this.closed) return;
    const kill = `kill -s KILL -- -${pid} 2>/dev/null || kill -s KILL ${pid} 2>/dev/null; true`;
    try {
      const { stream, closed } = await this.channel(sudo ? `sudo -n /bin/sh -c ${shellQuote(kill)}` : kill);
      stream.end();
      await Promise.race([closed, delay(CLOSE_GRACE_MS)]);
    } catch {
      // The connection went away: the command's pipes are gone with it.
    }
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((err, sftp) => {
        if (err) {
          this.sftpSession = undefined;
          reject(
            new SlothError('unavailable', `ssh ${this.name}: cannot start SFTP: ${err.message}`, {
              hint: "the host's sshd needs an sftp Subsystem line (Debian's default has one)",
            }),
          );
        } else resolve(sftp);
      });
    });
    return this.sftpSession;
  }

  private transferError(what: string, detail: string, err: unknown): SlothError {
    if (err instanceof SlothError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new SlothError('task_failed', `ssh ${this.name}: ${what} of ${detail} failed: ${message}`);
  }
}

/** Connects and authenticates, turning ssh2's failures into errors that say what to do. */
async function connectClient(
  options: ConnectOptions,
  knownHosts: KnownHosts,
  sock: Readable | undefined,
  signal: AbortSignal | undefined,
): Promise<Client> {
  const target = describeTarget(options);
  const auth = await authOptions(options, target);
  const client = new Client();
  let refusal: unknown;
  return new Promise<Client>((resolve, reject) => {
    const onAbort = () => {
      client.end();
      reject(new SlothError('aborted', `ssh ${target}: connecting was cancelled`));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);
    client.once('ready', () => {
      settle();
      resolve(client);
    });
    let failed = false;
    // ssh2 may report more than one error for one failed attempt (a handshake cut short, then the socket closing).
    client.on('error', (err: Error & { level?: string }) => {
      if (failed) return;
      failed = true;
      settle();
      client.end();
      reject(connectError(target, options, auth, err, refusal));
    });
    const { defaultKeyFile: _shownOnly, ...settings } = auth;
    const config: ConnectConfig = {
      host: options.host,
      port: options.port,
      username: options.user ?? userInfo().username,
      readyTimeout: options.timeout,
      keepaliveInterval: 15_000,
      ...settings,
      ...(sock ? { sock } : {}),
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        knownHosts.verify(options.host, options.port, key, options.host_key_check).then(
          () => verify(true),
          (err) => {
            refusal = err;
            verify(false);
          },
        );
      },
    };
    try {
      client.connect(config);
    } catch (err) {
      // A key that cannot be parsed (encrypted without a passphrase) is thrown at once.
      settle();
      reject(connectError(target, options, auth, err as Error, undefined));
    }
  });
}

/** ssh2's authentication settings, and which default key file was picked (for messages). */
type AuthSettings = Partial<ConnectConfig> & { defaultKeyFile?: string };

async function authOptions(options: ConnectOptions, target: string): Promise<AuthSettings> {
  const auth: AuthSettings = {};
  if (options.password !== undefined) auth.password = options.password;
  if (options.passphrase !== undefined) auth.passphrase = options.passphrase;
  if (options.key !== undefined) auth.privateKey = options.key;
  else if (options.key_file !== undefined) {
    try {
      auth.privateKey = await readFile(options.key_file);
    } catch (err) {
      throw new SlothError('not_found', `ssh ${target}: cannot read key_file ${options.key_file}: ${(err as Error).message}`);
    }
  }
  const agentSocket = options.agent === true ? process.env.SSH_AUTH_SOCK : options.agent || undefined;
  if (options.agent === true && !agentSocket) {
    throw new SlothError('usage', `ssh ${target}: agent = true, but SSH_AUTH_SOCK is not set`, {
      hint: 'start an ssh agent (eval "$(ssh-agent)" and ssh-add), or give key_file',
    });
  }
  if (agentSocket) auth.agent = agentSocket;
  if (auth.privateKey === undefined && auth.password === undefined && auth.agent === undefined) {
    // Like ssh itself: the user's agent, then the usual key files.
    if (process.env.SSH_AUTH_SOCK) auth.agent = process.env.SSH_AUTH_SOCK;
    for (const name of DEFAULT_KEYS) {
      const file = join(homedir(), '.ssh', name);
      const key = await readFile(file).catch(() => undefined);
      if (key) {
        auth.privateKey = key;
        auth.defaultKeyFile = file;
        break;
      }
    }
  }
  return auth;
}

function connectError(
  target: string,
  options: ConnectOptions,
  auth: AuthSettings,
  err: Error & { level?: string },
  refusal: unknown,
): SlothError {
  if (refusal instanceof SlothError) return refusal;
  const message = err.message;
  if (err.level === 'client-authentication' || /authentication methods failed/i.test(message)) {
    const tried = [
      options.key_file ? `key_file ${options.key_file}` : options.key ? 'key' : auth.defaultKeyFile,
      options.password !== undefined ? 'password' : undefined,
      auth.agent ? 'the ssh agent' : undefined,
    ].filter(Boolean);
    if (tried.length === 0) {
      return new SlothError('unauthenticated', `ssh ${target}: no key, password or ssh agent to log in with`, {
        hint: 'give key_file (in the inventory or ssh.connect), start an ssh agent, or put a key in ~/.ssh/id_ed25519',
      });
    }
    return new SlothError(
      'unauthenticated',
      `ssh ${target}: authentication failed${tried.length ? ` (tried ${tried.join(', ')})` : ''}`,
      {
        hint: "check the user and that the key is in the host's authorized_keys",
      },
    );
  }
  if (/encrypted private .*key/i.test(message) || /bad passphrase|cannot parse privatekey/i.test(message)) {
    return new SlothError('invalid_argument', `ssh ${target}: cannot use the private key: ${message}`, {
      hint: 'an encrypted key needs passphrase (from secret.get)',
    });
  }
  if (/timed out/i.test(message)) {
    return new SlothError('timeout', `ssh ${target}: no SSH handshake within ${options.timeout} ms`, {
      hint: 'check the address and port, and that sshd runs there; raise timeout for slow links',
    });
  }
  const code = (err as NodeJS.ErrnoException).code;
  // Node's own message repeats the code and address ("connect ECONNREFUSED 127.0.0.1:22"): the code says it.
  return new SlothError('unavailable', `ssh ${target}: cannot connect: ${code ?? message}`, {
    hint: 'check the address and port, and that sshd runs there',
  });
}

async function feed(channel: ClientChannel, stdin: RemoteExecOptions['stdin']): Promise<void> {
  try {
    if (stdin === undefined) return void channel.end();
    if (typeof stdin === 'string' || stdin instanceof Uint8Array) return void channel.end(stdin);
    for await (const chunk of stdin) {
      if (!channel.write(chunk)) await new Promise((resolve) => channel.once('drain', resolve));
    }
    channel.end();
  } catch {
    channel.close();
  }
}

function sftpCall<T>(start: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value as T))));
}

/** Resolves once a stream's readable side has ended (all its data emitted). */
function drained(stream: Readable): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function emptyResult(started: number, flags: { aborted: boolean }): RemoteResult {
  return {
    exitCode: null,
    signal: null,
    stdout: '',
    stdoutBytes: Buffer.alloc(0),
    stderr: '',
    durationMs: performance.now() - started,
    timedOut: false,
    aborted: flags.aborted,
    truncated: false,
  };
}
