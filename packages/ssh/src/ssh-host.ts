import {
  type Host,
  type HostAccount,
  type HostBinding,
  type HostStat,
  type HostWriteOptions,
  SlothError,
  shellLine,
  shellQuote,
} from '@sloth/core';
import { tempName } from '@sloth/core/internal';
import { remoteFsError } from './remote-errors.js';
import type { RemoteExecOptions, RemoteResult, SshConnection } from './ssh-connection.js';

/** How a host reached over SSH is used: as whom commands run there. */
export interface SshHostOptions {
  /** Every command through `sudo -n` (as root): Ansible's become. */
  sudo?: boolean | undefined;
}

const q = shellQuote;
/** stat's format for parseStat: type, size, mode, ids, mtime and the owner's and group's names. */
const STAT_FORMAT = "'%F|%s|%a|%u|%g|%Y|%U|%G'";

/**
 * The host interface over an SSH connection: every fact is read and every change made by a small POSIX shell command
 * there (stat, cat, mv, chmod...), so a host needs sshd and a shell, nothing installed. Relative paths and commands
 * start in the login user's home. Files are replaced as locally: written to a temp file next to the target, then
 * renamed over it.
 */
export function sshHost(
  name: string,
  connect: (signal: AbortSignal) => Promise<SshConnection>,
  binding: HostBinding,
  options: SshHostOptions = {},
): Host {
  // A task's user runs its commands there too (sudo -u); become makes them root.
  const sudo: RemoteExecOptions['sudo'] = binding.user ?? (options.sudo ? true : undefined);

  const exec = async (script: string, extra: RemoteExecOptions = {}): Promise<RemoteResult> => {
    const connection = await connect(binding.signal);
    return connection.exec(script, { signal: binding.signal, sudo, ...extra });
  };
  /** Runs a script that must succeed; a failure becomes the error Node's fs would give (ENOENT...) for `path`. */
  const must = async (script: string, path: string, extra: RemoteExecOptions = {}): Promise<RemoteResult> => {
    const r = await exec(script, extra);
    if (r.exitCode !== 0) throw remoteFsError(name, path, r);
    return r;
  };
  const changing = (path: string, what: string) => {
    if (binding.checkMode) {
      throw new SlothError('internal', `refusing to ${what} '${path}' on ${name} in check mode`, {
        hint: 'a module changed the host in check mode: apply must be skipped in check mode (converge does it)',
      });
    }
    return path;
  };
  const statWith = async (path: string, follow: boolean): Promise<HostStat | undefined> => {
    const r = await exec(`stat ${follow ? '-L ' : ''}-c ${STAT_FORMAT} -- ${q(path)}`);
    if (r.exitCode !== 0) {
      if (/No such file|Not a directory/.test(r.stderr)) return undefined;
      throw remoteFsError(name, path, r);
    }
    return parseStat(r.stdout);
  };
  const account =
    (database: 'passwd' | 'group') =>
    async (nameOrId: string | number): Promise<HostAccount | undefined> => {
      const key = String(nameOrId);
      const numeric = /^\d+$/.test(key);
      const file = database === 'passwd' ? '/etc/passwd' : '/etc/group';
      const r = await exec(`getent ${database} ${q(key)} 2>/dev/null || awk -F: -v k=${q(key)} '$1 == k || $3 == k' ${file}`);
      const entries = r.stdout
        .split('\n')
        .map((line) => line.split(':'))
        .filter((f) => f.length >= 3 && /^\d+$/.test(f[2] ?? ''))
        .map((f) => ({ name: f[0] as string, id: Number(f[2]) }));
      const found = numeric ? entries.find((e) => e.id === Number(key)) : entries.find((e) => e.name === key);
      if (found) return found;
      return numeric ? { id: Number(key), name: key } : undefined;
    };

  return {
    name,
    async run(command, runOptions = {}) {
      const lines: string[] = [];
      // The task's workdir is a path on this machine: there, commands start in the user's home unless told.
      if (runOptions.cwd !== undefined && runOptions.cwd !== binding.workdir) lines.push(`cd -- ${q(runOptions.cwd)} || exit 1`);
      // Only what the caller added to the task's environment travels: this machine's own variables mean nothing there.
      for (const [key, value] of Object.entries(runOptions.env ?? {})) {
        if (value !== undefined && binding.env[key] !== value && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
          lines.push(`export ${key}=${q(value)}`);
        }
      }
      lines.push(typeof command === 'string' ? command : shellLine(command));
      return exec(lines.join('\n'), {
        stdin: runOptions.stdin,
        timeoutMs: runOptions.timeoutMs,
        onLine: runOptions.onLine,
        maxCaptureBytes: runOptions.maxCaptureBytes,
      });
    },
    async readFile(path) {
      return (await must(`cat -- ${q(path)}`, path)).stdoutBytes;
    },
    async createOrRead(path, data, createOptions) {
      changing(path, 'create');
      const r = await must(createOrReadScript(path, createOptions), path, { stdin: data });
      const out = r.stdoutBytes;
      const eol = out.indexOf(10);
      const head = out.subarray(0, eol === -1 ? out.length : eol).toString();
      if (head === 'CREATED') return { created: true };
      if (!head.startsWith('STAT ')) return { created: false, raced: true };
      const info = parseStat(head.slice(5));
      const small = info.type === 'file' && info.size <= createOptions.maxRead;
      const content = small ? out.subarray(eol + 1) : undefined;
      // Changed between its stat and its cat: as if it raced (the caller reads it again).
      if (content && content.length !== info.size) return { created: false, raced: true };
      return { created: false, info, content };
    },
    async writeFile(path, data, writeOptions = {}) {
      changing(path, 'write');
      if (!writeOptions.validate) {
        await must(writeScript(path, writeOptions), path, { stdin: data });
        return;
      }
      // Where it goes: through a symlink to its file; parents made first when asked; what is there now.
      const probe = await must(
        [
          `p=${q(path)}`,
          `if [ -L "$p" ]; then t=$(readlink -f -- "$p" || true); [ -n "$t" ] || t=$p; else t=$p; fi`,
          writeOptions.makeParents ? `mkdir -p -- "$(dirname -- "$t")" || exit 1` : '',
          `printf '%s\\n' "$t"`,
          `stat -L -c ${STAT_FORMAT} -- "$t" 2>/dev/null || true`,
        ].join('\n'),
        path,
      );
      const [target = path, statLine = ''] = probe.stdout.split('\n');
      const existing = statLine ? parseStat(statLine) : undefined;
      if (existing?.type === 'directory') throw remoteFsError(name, target, { stderr: 'Is a directory', exitCode: 1 });
      if (existing?.type === 'other') {
        await must(`cat > ${q(target)}`, target, { stdin: data });
        return;
      }
      const temp = tempName(target);
      const mode = writeOptions.mode ?? existing?.mode;
      const uid = writeOptions.uid ?? existing?.uid;
      const gid = writeOptions.gid ?? existing?.gid;
      const owner = uid === undefined && gid === undefined ? '' : `${uid ?? ''}${gid === undefined ? '' : `:${gid}`}`;
      // Private until its mode is set; keeping another user's ownership needs root, asking for one must work.
      const asked = writeOptions.uid !== undefined || writeOptions.gid !== undefined;
      const chown = owner ? `chown ${owner} -- "$t"${asked ? '' : ' 2>/dev/null || true'}` : '';
      const prepare = [
        `u=$(umask)`,
        `t=${q(temp)}`,
        `umask 077`,
        `cat > "$t" || { rm -f -- "$t"; exit 1; }`,
        // chown first: it clears the setuid and setgid bits.
        `{ ${chown || 'true'} && ${mode === undefined ? `chmod "$(printf '%o' $((0666 & ~0$u)))" -- "$t"` : `chmod ${mode.toString(8)} -- "$t"`}; } || { rm -f -- "$t"; exit 1; }`,
      ];
      const rename = `mv -f -- ${q(temp)} ${q(target)} || { rm -f -- ${q(temp)}; exit 1; }`;
      await must(prepare.join('\n'), target, { stdin: data });
      try {
        await writeOptions.validate(temp);
      } catch (err) {
        await exec(`rm -f -- ${q(temp)}`);
        throw err;
      }
      await must(rename, target);
    },
    stat: (path) => statWith(path, true),
    lstat: (path) => statWith(path, false),
    async readlink(path) {
      return (await must(`readlink -- ${q(path)}`, path)).stdout.replace(/\n$/, '');
    },
    async readdir(path) {
      const r = await must(
        `cd -- ${q(path)} || exit 1\nfor f in * .[!.]* ..?*; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\\0' "$f"; fi; done`,
        path,
      );
      return r.stdout.split('\0').filter(Boolean).sort();
    },
    async copyFile(from, to) {
      await must(`cp -p -- ${q(from)} ${q(changing(to, 'copy to'))}`, to);
    },
    async chmod(path, mode) {
      await must(`chmod ${mode.toString(8)} -- ${q(changing(path, 'change the mode of'))}`, path);
    },
    async chown(path, uid, gid, chownOptions = {}) {
      changing(path, 'change the owner of');
      if (uid === undefined && gid === undefined) return;
      const owner = `${uid ?? ''}${gid === undefined ? '' : `:${gid}`}`;
      await must(`chown ${chownOptions.follow === false ? '-h ' : ''}${owner} -- ${q(path)}`, path);
    },
    async mkdir(path, mkdirOptions = {}) {
      changing(path, 'create the directory');
      const mode = mkdirOptions.mode === undefined ? '' : `-m ${mkdirOptions.mode.toString(8)} `;
      await must(
        mkdirOptions.parents ? `mkdir -p ${mode}-- ${q(path)}` : `[ -d ${q(path)} ] || mkdir ${mode}-- ${q(path)}`,
        path,
      );
    },
    async symlink(target, path) {
      changing(path, 'create the symlink');
      const temp = tempName(path);
      await must(
        `ln -s -- ${q(target)} ${q(temp)} && { mv -fT -- ${q(temp)} ${q(path)} || { rm -f -- ${q(temp)}; exit 1; }; }`,
        path,
      );
    },
    async remove(path, removeOptions = {}) {
      await must(`rm -f${removeOptions.recursive ? 'r' : ''} -- ${q(changing(path, 'remove'))}`, path);
    },
    async touch(path) {
      await must(`touch -- ${q(changing(path, 'touch'))}`, path);
    },
    lookupUser: account('passwd'),
    lookupGroup: account('group'),
  };
}

/**
 * One script that replaces a file with what it reads on stdin, as `Host.writeFile` says (one round trip): through a
 * symlink to its file, parents made when asked, a temp file next to it that takes the mode and owner asked for (by
 * default those of the file it replaces, else 0666 less the umask) and is renamed over it; a device or fifo is written
 * in place. Whatever stops it early still reads stdin, so the sender never waits on a closed channel.
 */
function writeScript(path: string, options: HostWriteOptions): string {
  const suffix = tempName('x').split('.sloth-')[1] as string;
  const asked = options.uid !== undefined || options.gid !== undefined;
  const fail = `{ rm -f -- "$n"; exit 1; }`;
  // Private (umask 077) until its mode is set, unless it is created with its final mode: the default one of a new
  // file, or one asked for that a umask can give (no execute or special bits), which saves forking chmod.
  const mode = options.mode;
  const umaskable = mode !== undefined && (mode & ~0o666) === 0;
  const create =
    mode === undefined
      ? `if [ -f "$t" ]; then umask 077; fi; cat > "$n" || ${fail}`
      : `umask ${umaskable ? (0o777 & ~mode).toString(8).padStart(3, '0') : '077'}; cat > "$n" || ${fail}`;
  // After chown, which clears the setuid and setgid bits.
  const chmod =
    mode === undefined
      ? `if [ -f "$t" ]; then chmod "$(stat -L -c %a -- "$t")" -- "$n" || ${fail}; fi`
      : umaskable
        ? ''
        : `chmod ${mode.toString(8)} -- "$n" || ${fail}`;
  // Every process forked on the host costs it: path arithmetic by parameter expansion, tools only where needed.
  return [
    `p=${q(path)}`,
    `if [ -L "$p" ]; then t=$(readlink -f -- "$p" || true); [ -n "$t" ] || t=$p; else t=$p; fi`,
    `case $t in */*) d=\${t%/*}; [ -n "$d" ] || d=/ ;; *) d=. ;; esac`,
    options.makeParents ? `[ -d "$d" ] || mkdir -p -- "$d" || { cat >/dev/null; exit 1; }` : '',
    `if [ -d "$t" ]; then cat >/dev/null; echo "$t: Is a directory" >&2; exit 1; fi`,
    `if [ -e "$t" ] && [ ! -f "$t" ]; then exec cat > "$t"; fi`,
    `n="$d/.\${t##*/}.sloth-${suffix}"`,
    create,
    `ou=${options.uid ?? ''}; og=${options.gid ?? ''}`,
    `if [ -f "$t" ]; then [ -n "$ou" ] || ou=$(stat -L -c %u -- "$t"); [ -n "$og" ] || og=$(stat -L -c %g -- "$t"); fi`,
    // Keeping another user's ownership needs root; asking for one must work.
    `if [ -n "$ou$og" ]; then chown "$ou\${og:+:$og}" -- "$n"${asked ? ` || ${fail}` : ' 2>/dev/null || true'}; fi`,
    chmod,
    `mv -f -- "$n" "$t" || ${fail}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * One script for `Host.createOrRead` (one round trip), reading the new content on stdin either way: when something is
 * at the path (a dangling symlink included), `STAT <stat -L>` and, for a regular file of at most maxRead bytes, its
 * content; else the file is made as a temp file next to it with its mode and owner, then hard-linked in place, which
 * fails if anything appeared meanwhile (`RACED`, nothing changed), and `CREATED`.
 */
function createOrReadScript(path: string, options: Omit<HostWriteOptions, 'validate'> & { maxRead: number }): string {
  const suffix = tempName('x').split('.sloth-')[1] as string;
  const mode = options.mode;
  const umaskable = mode === undefined || (mode & ~0o666) === 0;
  const fail = `{ rm -f -- "$n"; exit 1; }`;
  return [
    `p=${q(path)}`,
    `if [ -e "$p" ] || [ -L "$p" ]; then`,
    '  cat >/dev/null',
    `  s=$(stat -L -c ${STAT_FORMAT} -- "$p" 2>/dev/null) || { echo RACED; exit 0; }`,
    `  printf 'STAT %s\\n' "$s"`,
    `  case $s in regular*) z=\${s#*|}; z=\${z%%|*}; [ "$z" -le ${options.maxRead} ] && exec cat -- "$p" ;; esac`,
    '  exit 0',
    'fi',
    `case $p in */*) d=\${p%/*}; [ -n "$d" ] || d=/ ;; *) d=. ;; esac`,
    options.makeParents ? `[ -d "$d" ] || mkdir -p -- "$d" || { cat >/dev/null; exit 1; }` : '',
    `n="$d/.\${p##*/}.sloth-${suffix}"`,
    // A new file's default mode is 0666 less the umask; one asked for that a umask can give saves forking chmod.
    mode === undefined ? '' : `umask ${umaskable ? (0o777 & ~mode).toString(8).padStart(3, '0') : '077'}`,
    `cat > "$n" || ${fail}`,
    options.uid !== undefined || options.gid !== undefined
      ? `chown ${options.uid ?? ''}${options.gid !== undefined ? `:${options.gid}` : ''} -- "$n" || ${fail}`
      : '',
    // After chown, which clears the setuid and setgid bits.
    umaskable ? '' : `chmod ${(mode as number).toString(8)} -- "$n" || ${fail}`,
    `if ln -- "$n" "$p" 2>/dev/null; then rm -f -- "$n"; echo CREATED; else rm -f -- "$n"; echo RACED; fi`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** `stat -c STAT_FORMAT` output as a HostStat (stat says UNKNOWN for an id without a name: left to a lookup). */
function parseStat(line: string): HostStat {
  const [kind = '', size = '0', mode = '0', uid = '0', gid = '0', mtime = '0', owner, group] = line.trim().split('|');
  const named = (value: string | undefined) => (value === undefined || value === 'UNKNOWN' ? undefined : value);
  const type = kind.startsWith('regular')
    ? 'file'
    : kind === 'directory'
      ? 'directory'
      : kind === 'symbolic link'
        ? 'link'
        : 'other';
  return {
    type,
    size: Number(size),
    mode: Number.parseInt(mode, 8) & 0o7777,
    uid: Number(uid),
    gid: Number(gid),
    mtimeMs: Number(mtime) * 1000,
    owner: named(owner),
    group: named(group),
  };
}
