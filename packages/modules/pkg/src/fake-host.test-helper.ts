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
    writeFile: () => Promise.reject(new Error('the fake host is read-only')),
    stat: async (path) => (content.has(path) ? { type: 'file', size: 0, mode: 0o755, uid: 0, gid: 0, mtimeMs: 0 } : undefined),
  };
}
