import { createHash } from 'node:crypto';
import { arg, type ModuleCallContext, z } from '@sloth/core';
import { check } from './check.js';
import { fact } from './facts-memo.js';

const pathArg = arg('path', z.string().min(1, 'expected a path'), 'a path (relative: to the task workdir)');
const KIND = { file: 'a file', directory: 'a directory', link: 'a symlink', other: 'a special file' } as const;

/** Reads a file for a check: its content, or why it cannot be read. */
async function contentOf(ctx: ModuleCallContext, path: string): Promise<Buffer | string> {
  const s = await ctx.host.stat(path);
  if (!s) return `${path} does not exist`;
  if (s.type !== 'file') return `${path} is ${KIND[s.type]}, not a file`;
  try {
    return await ctx.host.readFile(path);
  } catch (err) {
    return `${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

export const fileExists = check({
  doc: 'Passes when the path exists (a file, a directory, or what a symlink points to).',
  args: [pathArg],
  examples: ['infra_test.file_exists("/etc/nginx/nginx.conf")'],
  check: async ([path], ctx) => ((await ctx.host.stat(path)) ? undefined : `${path} does not exist`),
});

export const isDirectory = check({
  doc: 'Passes when the path is a directory (or a symlink to one).',
  args: [pathArg],
  examples: ['infra_test.is_directory("/var/www/html")'],
  check: async ([path], ctx) => {
    const s = await ctx.host.stat(path);
    if (!s) return `${path} does not exist`;
    return s.type === 'directory' ? undefined : `${path} is ${KIND[s.type]}, not a directory`;
  },
});

export const fileMode = check({
  doc: 'Passes when the permission bits of the path are exactly this octal mode ("644", "0755", "1777").',
  args: [
    pathArg,
    arg(
      'mode',
      z.string().regex(/^[0-7]{3,4}$/, 'expected an octal mode as a string, like "644" or "0755"'),
      'octal, as a string',
    ),
  ],
  examples: ['infra_test.file_mode("/etc/nginx/nginx.conf", "644")'],
  check: async ([path, mode], ctx) => {
    const s = await ctx.host.stat(path);
    if (!s) return `${path} does not exist`;
    const want = Number.parseInt(mode, 8);
    const octal = (m: number) => m.toString(8).padStart(4, '0');
    return s.mode === want ? undefined : `${path} has mode ${octal(s.mode)}, expected ${octal(want)}`;
  },
});

export const fileOwner = check({
  doc: 'Passes when the path is owned by this user (a name, or a uid as digits).',
  args: [pathArg, arg('user', z.string().min(1, 'expected a user name'), 'a user name or uid')],
  examples: ['infra_test.file_owner("/var/www/html", "www-data")'],
  check: async ([path, user], ctx) => {
    const s = await ctx.host.stat(path);
    if (!s) return `${path} does not exist`;
    const owner = await ctx.host.lookupUser(s.uid);
    const name = owner?.name ?? String(s.uid);
    if (name === user || String(s.uid) === user) return undefined;
    return `${path} is owned by ${name}${name === String(s.uid) ? '' : ` (uid ${s.uid})`}, expected ${user}`;
  },
});

export const fileContains = check({
  doc: 'Passes when the file contains this text (a plain substring, not a pattern).',
  args: [pathArg, arg('text', z.string().min(1, 'expected the text to look for'), 'the text')],
  examples: ['infra_test.file_contains("/etc/nginx/nginx.conf", "worker_processes")'],
  check: async ([path, text], ctx) => {
    const content = await contentOf(ctx, path);
    if (typeof content === 'string') return content;
    return content.includes(text) ? undefined : `${path} does not contain ${JSON.stringify(text)}`;
  },
});

export const fileSha256 = check({
  doc: 'Passes when the SHA-256 of the file is this hex digest (case does not matter).',
  args: [pathArg, arg('digest', z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits'), 'the hex digest')],
  examples: ['infra_test.file_sha256("/usr/local/bin/app", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")'],
  check: async ([path, want], ctx) => {
    const content = await contentOf(ctx, path);
    if (typeof content === 'string') return content;
    const got = createHash('sha256').update(content).digest('hex');
    return got === want.toLowerCase() ? undefined : `${path} has sha256 ${got}, expected ${want.toLowerCase()}`;
  },
});

/** A mount point of /proc/mounts: spaces and such are written as octal escapes (\040). */
const unescapeMount = (field: string) =>
  field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

export const mountExists = check({
  doc: 'Passes when something is mounted at the path (/proc/mounts).',
  args: [arg('path', z.string().startsWith('/', 'expected an absolute path'), 'the mount point')],
  examples: ['infra_test.mount_exists("/proc")'],
  check: async ([path], ctx) => {
    const want = path.length > 1 ? path.replace(/\/+$/, '') : path;
    const points = await fact(ctx, 'mounts', async () => {
      const mounts = (await ctx.host.readFile('/proc/mounts')).toString('utf8');
      return new Set(mounts.split('\n').map((line) => unescapeMount(line.split(' ')[1] ?? '')));
    });
    return points.has(want) ? undefined : `nothing is mounted at ${want}`;
  },
});

export const kernelParam = check({
  doc: 'Passes when the kernel parameter (sysctl name, read from /proc/sys) has this value; whitespace inside is compared as one space.',
  args: [
    arg(
      'name',
      z
        .string()
        .regex(/^[A-Za-z0-9_][A-Za-z0-9_.:/@-]*$/, 'expected a sysctl name like "net.ipv4.ip_forward"')
        .refine((n) => !n.includes('..'), 'expected a sysctl name like "net.ipv4.ip_forward"'),
      'a sysctl name: "net.ipv4.ip_forward" (or with slashes)',
    ),
    arg('value', z.union([z.string(), z.number()]), 'the expected value'),
  ],
  examples: ['infra_test.kernel_param("net.ipv4.ip_forward", 1)', 'infra_test.kernel_param("kernel.pid_max", "4194304")'],
  check: async ([name, value], ctx) => {
    // sysctl's own rule: with a slash the name is a path, else dots separate its parts.
    const path = `/proc/sys/${name.includes('/') ? name : name.replaceAll('.', '/')}`;
    const s = await ctx.host.stat(path);
    if (s?.type !== 'file') return `no kernel parameter ${name} (${path} does not exist)`;
    const norm = (v: string) => v.trim().replace(/\s+/g, ' ');
    let got: string;
    try {
      got = norm((await ctx.host.readFile(path)).toString('utf8'));
    } catch (err) {
      return `${name} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
    return got === norm(String(value))
      ? undefined
      : `${name} is ${JSON.stringify(got)}, expected ${JSON.stringify(norm(String(value)))}`;
  },
});
