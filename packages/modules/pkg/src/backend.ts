import { type ModuleCallContext, SlothError } from '@sloth/core';

/** The package managers `pkg` recognises. */
export type PackageManager = 'apt' | 'dnf' | 'yum' | 'apk' | 'pacman' | 'zypper';

/** Which manager a host has, and the distribution that says so. */
export interface Backend {
  manager: PackageManager | undefined;
  /** `ID` of /etc/os-release ("debian"), when it has one. */
  os: string | undefined;
}

// The binary that betrays each manager, in the order a host with several is read (dnf before yum: yum is often a
// compatibility link to dnf).
const PROBES: [PackageManager, string][] = [
  ['apt', 'apt-get'],
  ['dnf', 'dnf'],
  ['yum', 'yum'],
  ['apk', 'apk'],
  ['pacman', 'pacman'],
  ['zypper', 'zypper'],
];
const FAMILIES: Record<string, PackageManager[]> = {
  debian: ['apt'],
  ubuntu: ['apt'],
  fedora: ['dnf', 'yum'],
  rhel: ['dnf', 'yum'],
  centos: ['dnf', 'yum'],
  alpine: ['apk'],
  arch: ['pacman'],
  suse: ['zypper'],
  opensuse: ['zypper'],
};
const BIN_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

// Detection reads a few files, but a run calls pkg many times: it is kept per host, per process, for a minute (a
// machine does not change package manager during a run; a long-lived agent still notices a new one).
const TTL_MS = 60_000;
const cache = new Map<string, { at: number; backend: Promise<Backend> }>();

/** The host's package manager, from /etc/os-release (ID, ID_LIKE) and the binaries present. */
export function detectBackend(ctx: ModuleCallContext): Promise<Backend> {
  const hit = cache.get(ctx.host.name);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.backend;
  const backend = probe(ctx);
  cache.set(ctx.host.name, { at: Date.now(), backend });
  backend.catch(() => cache.delete(ctx.host.name));
  return backend;
}

async function probe(ctx: ModuleCallContext): Promise<Backend> {
  const release = await readOsRelease(ctx);
  const present: PackageManager[] = [];
  for (const [manager, binary] of PROBES) if (await hasBinary(ctx, binary)) present.push(manager);
  // A manager of the distribution's family wins over another one installed beside it (apk-tools on Debian).
  const family = [release.id ?? '', ...release.idLike].flatMap((id) => FAMILIES[id] ?? []);
  const manager = present.find((m) => family.includes(m)) ?? present[0];
  return { manager, os: release.id };
}

/** `ID` and `ID_LIKE` of /etc/os-release (empty when the file is missing). */
export function parseOsRelease(text: string): { id: string | undefined; idLike: string[] } {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) fields.set(m[1], m[2].replace(/^["']|["']$/g, ''));
  }
  return { id: fields.get('ID'), idLike: (fields.get('ID_LIKE') ?? '').split(/\s+/).filter(Boolean) };
}

async function readOsRelease(ctx: ModuleCallContext) {
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    if (!(await ctx.host.stat(path))) continue;
    return parseOsRelease((await ctx.host.readFile(path)).toString('utf8'));
  }
  return { id: undefined, idLike: [] };
}

async function hasBinary(ctx: ModuleCallContext, name: string): Promise<boolean> {
  for (const dir of BIN_DIRS) if ((await ctx.host.stat(`${dir}/${name}`))?.type === 'file') return true;
  return false;
}

/** The host's package manager; fails when it has none pkg knows. */
export async function requireManager(ctx: ModuleCallContext): Promise<PackageManager> {
  const { manager, os } = await detectBackend(ctx);
  if (manager) return manager;
  throw new SlothError(
    'not_found',
    `${ctx.fn}: no package manager found${os ? ` on ${os}` : ''} (looked for ${PROBES.map((p) => p[1]).join(', ')})`,
    { hint: 'pkg manages packages with apt (and dpkg), dnf or yum (and rpm), apk, pacman or zypper' },
  );
}
