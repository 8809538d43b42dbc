import type { Host } from '@sloth/core';

/**
 * A fake host standing for a machine of another distribution (this one is Debian): the files it has (os-release,
 * binaries, databases), and for a command line (argv joined with spaces) the stdout it prints. Runs nothing.
 */
export function fakeHost(
  name: string,
  osRelease: string | undefined,
  files: string[] | Record<string, string>,
  outputs: Record<string, string> = {},
): Host {
  const content = new Map<string, string>(Array.isArray(files) ? files.map((f) => [f, '']) : Object.entries(files));
  if (osRelease !== undefined) content.set('/etc/os-release', osRelease);
  const refuse = (what: string) => () => Promise.reject(new Error(`the fake host ${name} cannot ${what}: it is read-only`));
  const stat: Host['stat'] = async (path) =>
    content.has(path) ? { type: 'file', size: 0, mode: 0o755, uid: 0, gid: 0, mtimeMs: 0 } : undefined;
  return {
    name,
    run: async (command) => {
      const line = typeof command === 'string' ? command : command.join(' ');
      const stdout = outputs[line];
      if (stdout === undefined) throw new Error(`the fake host ${name} has no output for '${line}'`);
      return { exitCode: 0, signal: null, stdout, stderr: '', durationMs: 0, timedOut: false, aborted: false, truncated: false };
    },
    readFile: async (path) => {
      const text = content.get(path);
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return Buffer.from(text);
    },
    stat,
    lstat: stat,
    readlink: refuse('readlink'),
    readdir: refuse('readdir'),
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
