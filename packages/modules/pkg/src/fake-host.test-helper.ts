import type { Host, ProcessResult } from '@sloth/core';

/** What a fake command prints: its stdout, or all of stdout, stderr and exit code. */
export type FakeOutput = string | { stdout?: string; stderr?: string; exitCode?: number };

/** A fake host's commands: outputs by command line (argv joined with spaces), or a function of the argv. */
export type FakeCommands = Record<string, string> | ((argv: string[]) => FakeOutput | undefined);

/**
 * A fake host standing for a machine of another distribution (this one is Debian): the files it has (os-release,
 * binaries, databases; `files` and their `mtimes` can be changed by the test or its commands), and what its commands
 * print. Runs nothing; `ran` lists the command lines run, in order.
 */
export function fakeHost(
  name: string,
  osRelease: string | undefined,
  initial: string[] | Record<string, string>,
  commands: FakeCommands = {},
): Host & { ran: string[]; files: Map<string, string>; mtimes: Map<string, number> } {
  const files = new Map<string, string>(Array.isArray(initial) ? initial.map((f) => [f, '']) : Object.entries(initial));
  if (osRelease !== undefined) files.set('/etc/os-release', osRelease);
  const ran: string[] = [];
  // Modification times of files, ms since the epoch (0 unless set).
  const mtimes = new Map<string, number>();
  const refuse = (what: string) => () => Promise.reject(new Error(`the fake host ${name} cannot ${what}`));
  const isDir = (path: string) => [...files.keys()].some((f) => f.startsWith(path === '/' ? '/' : `${path}/`));
  const stat: Host['stat'] = async (path) => {
    if (files.has(path)) {
      return { type: 'file', size: files.get(path)?.length ?? 0, mode: 0o755, uid: 0, gid: 0, mtimeMs: mtimes.get(path) ?? 0 };
    }
    return isDir(path) ? { type: 'directory', size: 0, mode: 0o755, uid: 0, gid: 0, mtimeMs: 0 } : undefined;
  };
  const run = async (argv: string[]): Promise<ProcessResult> => {
    const line = argv.join(' ');
    ran.push(line);
    const out = typeof commands === 'function' ? commands(argv) : commands[line];
    if (out === undefined) throw new Error(`the fake host ${name} has no output for '${line}'`);
    const o = typeof out === 'string' ? { stdout: out } : out;
    const result = { exitCode: o.exitCode ?? 0, signal: null, stdout: o.stdout ?? '', stderr: o.stderr ?? '' };
    return { ...result, durationMs: 0, timedOut: false, aborted: false, truncated: false };
  };
  return {
    name,
    ran,
    files,
    mtimes,
    run: (command) => run(typeof command === 'string' ? command.split(' ') : [...command]),
    readFile: async (path) => {
      const text = files.get(path);
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return Buffer.from(text);
    },
    stat,
    lstat: stat,
    readdir: async (path) => {
      const prefix = path === '/' ? '/' : `${path}/`;
      const children = [...files.keys()].filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length).split('/')[0]);
      return [...new Set(children as string[])].sort();
    },
    readlink: refuse('readlink'),
    lookupUser: refuse('look up users'),
    lookupGroup: refuse('look up groups'),
    writeFile: refuse('write'),
    copyFile: refuse('copy'),
    chmod: refuse('chmod'),
    chown: refuse('chown'),
    mkdir: refuse('mkdir'),
    symlink: refuse('symlink'),
    remove: refuse('remove'),
    touch: refuse('touch'),
  };
}
