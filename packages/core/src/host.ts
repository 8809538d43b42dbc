import { randomBytes } from 'node:crypto';
import {
  chmod,
  chown,
  copyFile,
  lchown,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { SlothError } from './errors.js';
import { isInstantKernelFile, readInstantKernelFile, readProcDirectory } from './kernel-files.js';
import { makeDirectory } from './make-directory.js';
import { type ProcessOptions, type ProcessResult, runProcess } from './process-runner.js';

/** What a host says about a path (`stat` follows symlinks; `lstat` reports a symlink as 'link'). */
export interface HostStat {
  type: 'file' | 'directory' | 'link' | 'other';
  size: number;
  /** Permission bits (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  /** The owner's and group's names, when the host reads them with the stat (saves a lookup per id). */
  owner?: string | undefined;
  group?: string | undefined;
}

/** A user or group of a host: its id and name (the id as text when it has no name there). */
export interface HostAccount {
  id: number;
  name: string;
}

/** Options of `Host.run`; cwd, env, user and the stop signal default to the calling task's. */
export type HostRunOptions = Omit<ProcessOptions, 'command' | 'signal' | 'user'>;

/** What `Host.writeFile` writes: text, bytes, or chunks read as they arrive. */
export type HostWriteData = string | Uint8Array | AsyncIterable<Uint8Array>;

/** What `Host.createOrRead` found: it created the file, something was already there, or it lost a race. */
export type HostCreateOrRead =
  | { created: true }
  | { created: false; raced?: false; info: HostStat; content: Buffer | undefined }
  | { created: false; raced: true };

/** How `Host.writeFile` replaces a file. */
export interface HostWriteOptions {
  /** Create missing parent directories. */
  makeParents?: boolean | undefined;
  /** Permission bits of the file; default: those of the file it replaces, else 0666 less the umask. */
  mode?: number | undefined;
  /** Owner and group ids; default: those of the file it replaces (when allowed), else the writer's. */
  uid?: number | undefined;
  gid?: number | undefined;
  /**
   * Called with the path of the new content (a temp file next to the target, mode and owner already set) before it
   * replaces the target; a throw leaves the target untouched.
   */
  validate?: ((tempPath: string) => Promise<void>) | undefined;
}

/**
 * The machine a module acts on. Resources read facts and apply changes only through it, so that where they act (this
 * machine today; an agent, SSH or a container behind the same interface later) and as whom is decided in one place.
 * Relative paths resolve against the task workdir. Every method that changes something refuses in check mode.
 */
export interface Host {
  /** Where it acts, for messages ("local"). */
  readonly name: string;
  /** Runs a command (a shell line or an argv list) there; it is killed when the task stops. */
  run(command: string | readonly string[], options?: HostRunOptions): Promise<ProcessResult>;
  readFile(path: string): Promise<Buffer>;
  /**
   * Replaces a file's content atomically: a temp file in the same directory gets the content, mode and owner, then is
   * renamed over the target (a reader sees the old file or the new one, never half). A symlink is written through to
   * its file. Where the directory cannot be written but the file can, the file is rewritten in place. `data` may be a
   * stream of chunks (a download), written to the temp file as they come.
   */
  writeFile(path: string, data: HostWriteData, options?: HostWriteOptions): Promise<void>;
  /**
   * Creates `path` with `data` (mode and owner as asked, else a new file's defaults) only if nothing is there, never
   * replacing what appeared meanwhile; otherwise changes nothing and returns what is there (symlinks followed) with
   * the content of a regular file of at most `maxRead` bytes. One round trip where each costs one (a host over SSH);
   * optional: without it, callers stat, read, then write. `raced`: something appeared between the look and the
   * create (nothing was changed; read it again).
   */
  createOrRead?(
    path: string,
    data: Uint8Array,
    options: Omit<HostWriteOptions, 'validate'> & { maxRead: number },
  ): Promise<HostCreateOrRead>;
  /** The path's type and attributes (symlinks followed), or undefined when it does not exist. */
  stat(path: string): Promise<HostStat | undefined>;
  /** Like stat, but a symlink is reported as itself (type 'link'). */
  lstat(path: string): Promise<HostStat | undefined>;
  /** A symlink's target, as stored. */
  readlink(path: string): Promise<string>;
  /** The names in a directory, sorted. */
  readdir(path: string): Promise<string[]>;
  /** Copies a file, keeping its mode and times (backups). */
  copyFile(from: string, to: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Sets the owner and/or group (undefined: unchanged); `follow: false` changes a symlink itself. */
  chown(path: string, uid: number | undefined, gid: number | undefined, options?: { follow?: boolean }): Promise<void>;
  /**
   * Creates a directory (and its missing parents with `parents`) with exactly `mode` when given (not masked by the
   * umask); nothing when it is a directory already.
   */
  mkdir(path: string, options?: { parents?: boolean; mode?: number }): Promise<void>;
  /** Makes `path` a symlink to `target`, atomically replacing a file or symlink already there. */
  symlink(target: string, path: string): Promise<void>;
  /** Removes a file, a symlink (not what it points to) or, with `recursive`, a directory; nothing when absent. */
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
  /** Sets a path's access and modification times to now, creating an empty file when it is missing. */
  touch(path: string): Promise<void>;
  /** A user by name or id (a number, or a string of digits), or undefined when a name is unknown. */
  lookupUser(nameOrId: string | number): Promise<HostAccount | undefined>;
  /** A group by name or id, as lookupUser. */
  lookupGroup(nameOrId: string | number): Promise<HostAccount | undefined>;
}

/** What a host acts for: the calling task's workdir, environment, user, stop signal and mode. */
export interface HostBinding {
  workdir: string;
  env: Readonly<Record<string, string>>;
  user: string | undefined;
  signal: AbortSignal;
  checkMode: boolean;
}

/** The host for this machine, acting for `binding` (read when each call is made). */
export function localHost(binding: HostBinding): Host {
  const at = (path: string) => resolve(binding.workdir, path);
  /** The absolute path of a change, refused in check mode. */
  const changing = (path: string, what: string) => {
    const target = at(path);
    if (binding.checkMode) {
      throw new SlothError('internal', `refusing to ${what} '${target}' in check mode`, {
        hint: 'a module changed the host in check mode: apply must be skipped in check mode (converge does it)',
      });
    }
    return target;
  };
  const accounts = (file: string, database: string) => async (nameOrId: string | number) => {
    const numeric = typeof nameOrId === 'number' || /^\d+$/.test(nameOrId);
    const entries = await accountEntries(file, database, String(nameOrId), numeric, (argv) =>
      runProcess({ command: argv, cwd: binding.workdir, env: binding.env, signal: binding.signal }),
    );
    const found = numeric ? entries.find((e) => e.id === Number(nameOrId)) : entries.find((e) => e.name === nameOrId);
    if (found) return found;
    return numeric ? { id: Number(nameOrId), name: String(nameOrId) } : undefined;
  };
  return {
    name: 'local',
    run: (command, options = {}) =>
      runProcess({
        ...options,
        cwd: options.cwd ?? binding.workdir,
        env: options.env ?? binding.env,
        command,
        user: binding.user,
        signal: binding.signal,
      }),
    readFile: (path) => {
      const target = at(path);
      return isInstantKernelFile(target) ? readInstantKernelFile(target) : readFile(target, { signal: binding.signal });
    },
    async writeFile(path, data, options = {}) {
      await writeAtomically(changing(path, 'write'), data, options, binding.signal);
    },
    stat: (path) => statOf(at(path), stat),
    lstat: (path) => statOf(at(path), lstat),
    readlink: (path) => readlink(at(path)),
    readdir: async (path) => {
      const target = at(path);
      return (await (target === '/proc' ? readProcDirectory() : readdir(target))).sort();
    },
    async copyFile(from, to) {
      const target = changing(to, 'copy to');
      await copyFile(at(from), target);
      const s = await stat(at(from));
      await chmod(target, s.mode & 0o7777);
      await utimes(target, s.atime, s.mtime);
    },
    async chmod(path, mode) {
      await chmod(changing(path, 'change the mode of'), mode);
    },
    async chown(path, uid, gid, options = {}) {
      const target = changing(path, 'change the owner of');
      await (options.follow === false ? lchown : chown)(target, uid ?? -1, gid ?? -1);
    },
    async mkdir(path, options = {}) {
      const target = changing(path, 'create the directory');
      let created = false;
      if (options.parents) created = await makeDirectory(target, options.mode);
      else {
        try {
          await mkdir(target, options.mode === undefined ? undefined : { mode: options.mode });
          created = true;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || (await statOf(target, stat))?.type !== 'directory') throw err;
        }
      }
      // mkdir(2) masks the mode with the umask; the mode asked for is the directory's, as `mkdir -m` makes it.
      if (created && options.mode !== undefined) await chmod(target, options.mode);
    },
    async symlink(target, path) {
      const link = changing(path, 'create the symlink');
      // A symlink made under a temp name and renamed over the path: the path is never missing in between.
      const temp = tempName(link);
      await symlink(target, temp);
      try {
        await rename(temp, link);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    async remove(path, options = {}) {
      await rm(changing(path, 'remove'), { force: true, recursive: options.recursive ?? false });
    },
    async touch(path) {
      const target = changing(path, 'touch');
      const now = new Date();
      try {
        await utimes(target, now, now);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await writeFile(target, '', { flag: 'a' });
      }
    },
    lookupUser: accounts('/etc/passwd', 'passwd'),
    lookupGroup: accounts('/etc/group', 'group'),
  };
}

async function statOf(path: string, how: typeof stat | typeof lstat): Promise<HostStat | undefined> {
  try {
    const s = await how(path);
    const type = s.isFile() ? 'file' : s.isDirectory() ? 'directory' : s.isSymbolicLink() ? 'link' : 'other';
    return { type, size: s.size, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, mtimeMs: s.mtimeMs };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** A name next to `path` that nothing else uses: hidden, and not matching `*.conf`-style include globs. */
export function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.sloth-${randomBytes(6).toString('hex')}.tmp`);
}

async function writeAtomically(path: string, data: HostWriteData, options: HostWriteOptions, signal: AbortSignal): Promise<void> {
  // Through a symlink to its file (a dangling one to where it points), so the link stays a link.
  let target = path;
  if ((await statOf(path, lstat))?.type === 'link') {
    target = await realpath(path).catch(async () => resolve(dirname(path), await readlink(path)));
  }
  if (options.makeParents) await makeDirectory(dirname(target));
  const existing = await statOf(target, stat);
  if (existing?.type === 'directory') throw errnoError('EISDIR', 'illegal operation on a directory', target);
  // A device or a pipe (/dev/null) is written to, not replaced.
  if (existing?.type === 'other') return writeFile(target, data, { signal });
  const temp = tempName(target);
  try {
    // Private until its mode is set, so content meant to be secret is never readable by others in between.
    await writeFile(temp, data, { flag: 'wx', mode: 0o600, signal });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // The directory is not writable, the file may be: rewrite it in place (not atomic, but what the user can do).
    if ((code === 'EACCES' || code === 'EPERM') && existing?.type === 'file' && !options.validate) {
      await writeFile(target, data, { signal });
      if (options.uid !== undefined || options.gid !== undefined) await chown(target, options.uid ?? -1, options.gid ?? -1);
      if (options.mode !== undefined) await chmod(target, options.mode);
      return;
    }
    throw err;
  }
  try {
    // chown first: it clears the setuid and setgid bits.
    const uid = options.uid ?? existing?.uid;
    const gid = options.gid ?? existing?.gid;
    if ((uid !== undefined && uid !== process.getuid?.()) || (gid !== undefined && gid !== process.getgid?.())) {
      try {
        await chown(temp, uid ?? -1, gid ?? -1);
      } catch (err) {
        // Keeping another user's ownership needs root; an owner that was asked for must be set.
        const asked = options.uid !== undefined || options.gid !== undefined;
        if (asked || (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
      }
    }
    await chmod(temp, options.mode ?? existing?.mode ?? 0o666 & ~process.umask());
    if (options.validate) await options.validate(temp);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * The entries of a passwd or group file matching `key`, from the file, else (names kept elsewhere: LDAP, systemd's
 * dynamic users) from `getent`.
 */
async function accountEntries(
  file: string,
  database: string,
  key: string,
  numeric: boolean,
  run: (argv: string[]) => Promise<ProcessResult>,
): Promise<HostAccount[]> {
  const local = await localAccounts(file);
  if (local.some((e) => (numeric ? e.id === Number(key) : e.name === key))) return local;
  const r = await run(['getent', database, key]).catch(() => undefined);
  return r?.exitCode === 0 ? parseAccounts(r.stdout) : [];
}

function parseAccounts(text: string): HostAccount[] {
  return text
    .split('\n')
    .map((line) => line.split(':'))
    .filter((f) => f.length >= 3 && f[0] !== '' && /^\d+$/.test(f[2] ?? ''))
    .map((f) => ({ name: f[0] as string, id: Number(f[2]) }));
}

// Every file a configuration run reads names its owner: the parsed passwd and group files are kept while their
// mtime and size stay the same (a user created meanwhile changes both).
const accountFiles = new Map<string, { mtimeMs: number; size: number; entries: HostAccount[] }>();

async function localAccounts(file: string): Promise<HostAccount[]> {
  const s = await stat(file).catch(() => undefined);
  if (!s) return [];
  const cached = accountFiles.get(file);
  if (cached && cached.mtimeMs === s.mtimeMs && cached.size === s.size) return cached.entries;
  const entries = parseAccounts(await readFile(file, 'utf8').catch(() => ''));
  accountFiles.set(file, { mtimeMs: s.mtimeMs, size: s.size, entries });
  return entries;
}

/** An error shaped as Node's own (code, path), so callers that map those map it too. */
function errnoError(code: string, what: string, path: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: ${what}, open '${path}'`);
  err.code = code;
  err.path = path;
  return err;
}
