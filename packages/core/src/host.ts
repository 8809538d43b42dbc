import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SlothError } from './errors.js';
import { makeDirectory } from './make-directory.js';
import { type ProcessOptions, type ProcessResult, runProcess } from './process-runner.js';

/** What a host says about a path (symlinks followed). */
export interface HostStat {
  type: 'file' | 'directory' | 'other';
  size: number;
  /** Permission bits (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
}

/** Options of `Host.run`; cwd, env, user and the stop signal default to the calling task's. */
export type HostRunOptions = Omit<ProcessOptions, 'command' | 'signal' | 'user'>;

/**
 * The machine a module acts on. Resources read facts and apply changes only through it, so that where they act (this
 * machine today; an agent, SSH or a container behind the same interface later) and as whom is decided in one place.
 * Relative paths resolve against the task workdir.
 */
export interface Host {
  /** Where it acts, for messages ("local"). */
  readonly name: string;
  /** Runs a command (a shell line or an argv list) there; it is killed when the task stops. */
  run(command: string | readonly string[], options?: HostRunOptions): Promise<ProcessResult>;
  readFile(path: string): Promise<Buffer>;
  /** Replaces a file's content; refused in check mode (nothing may change then). */
  writeFile(path: string, data: string | Uint8Array, options?: { makeParents?: boolean; mode?: number }): Promise<void>;
  /** The path's type and attributes, or undefined when it does not exist. */
  stat(path: string): Promise<HostStat | undefined>;
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
    readFile: (path) => readFile(at(path), { signal: binding.signal }),
    async writeFile(path, data, options = {}) {
      const target = at(path);
      if (binding.checkMode) {
        throw new SlothError('internal', `refusing to write '${target}' in check mode`, {
          hint: 'a module changed the host in check mode: apply must be skipped in check mode (converge does it)',
        });
      }
      if (options.makeParents) await makeDirectory(dirname(target));
      await writeFile(target, data, { signal: binding.signal, mode: options.mode });
    },
    async stat(path) {
      try {
        const s = await stat(at(path));
        const type = s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
        return { type, size: s.size, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, mtimeMs: s.mtimeMs };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        throw err;
      }
    },
  };
}
