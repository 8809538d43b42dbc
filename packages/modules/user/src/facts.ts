import { type HostRunOptions, type ModuleCallContext, type ProcessResult, SlothError } from '@sloth/core';

/** A user as the system's account database has it. */
export interface UserFacts {
  name: string;
  uid: number;
  gid: number;
  /** The primary group's name (its gid as text when it has none). */
  group: string;
  /** Supplementary groups, sorted; the primary group is not among them. */
  groups: string[];
  home: string;
  shell: string;
  comment: string;
  /** The crypt hash from the shadow database, when it can be read (as root). Compared, never shown. */
  passwordHash?: string | undefined;
  /** The lines of ~/.ssh/authorized_keys, or undefined when there is no such file. */
  authorizedKeys?: string[] | undefined;
}

/** A group as the system's group database has it. */
export interface GroupFacts {
  name: string;
  gid: number;
  members: string[];
}

/** How long one account tool may run: they wait on /etc/passwd's lock and the name service, both bounded here. */
const TOOL_TIMEOUT_MS = 120_000;

const TOOL_HINT = {
  useradd: 'install the shadow tools (Debian: passwd; Alpine: apk add shadow)',
  getent: 'install getent (Debian: libc-bin; Alpine: musl-utils)',
} as const;

/**
 * Runs a system tool on the task's host. A missing tool is an error saying which (BusyBox's adduser/addgroup, the
 * only tools of a bare Alpine, take other options and are not supported yet); a failure carries what the tool said.
 */
export async function runTool(
  ctx: ModuleCallContext,
  argv: readonly string[],
  options: HostRunOptions & { okCodes?: number[]; what?: string } = {},
): Promise<ProcessResult> {
  const { okCodes = [0], what, ...runOptions } = options;
  // The account tools live in sbin, which a task's PATH (a login shell's of a non-root user, a service's) may lack.
  const path = [ctx.env.PATH, '/usr/sbin', '/sbin'].filter(Boolean).join(':');
  const result = await ctx.host.run(argv, {
    timeoutMs: TOOL_TIMEOUT_MS,
    ...runOptions,
    env: { ...ctx.env, PATH: path },
  });
  const tool = argv[0] ?? '';
  const doing = what ?? tool;
  if (result.spawnError === 'ENOENT') {
    const family = tool === 'getent' ? 'getent' : 'useradd';
    throw new SlothError('not_found', `${ctx.fn}: '${tool}' is not installed on ${ctx.host.name}`, {
      hint: `${TOOL_HINT[family]}; BusyBox adduser/addgroup (bare Alpine) is not supported yet`,
    });
  }
  if (result.aborted) throw new SlothError('aborted', `${ctx.fn}: ${doing} was stopped with the task`);
  if (result.timedOut) {
    throw new SlothError('timeout', `${ctx.fn}: ${doing} did not finish within ${TOOL_TIMEOUT_MS / 1000} s`, {
      hint: 'another process may hold the lock on /etc/passwd, or the name service (LDAP, SSSD) does not answer',
    });
  }
  if (result.exitCode === null || !okCodes.includes(result.exitCode)) {
    const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n');
    throw new SlothError('task_failed', `${ctx.fn}: ${doing} failed (exit ${result.exitCode ?? result.signal}): ${said}`, {
      hint: 'see what the tool said above; run the same command by hand as root to check',
    });
  }
  return result;
}

// One shell for the account facts: getent for the passwd entry, id for the groups (as NSS resolves them, LDAP
// included), and the shadow entry when readable. Exit 2 (getent's "not found") means there is no such user.
const READ_USER = `entry=$(getent passwd "$1") || exit 2
printf 'passwd %s\\n' "$entry"
printf 'group %s\\n' "$(id -gn "$1" 2>/dev/null)"
printf 'groups %s\\n' "$(id -Gn "$1" 2>/dev/null)"
if [ "$2" = full ] && s=$(getent shadow "$1" 2>/dev/null); then printf 'shadow %s\\n' "$s"; fi
exit 0`;

/** The named user, or undefined when there is none. `full` also reads its password hash and authorized keys. */
export async function readUser(ctx: ModuleCallContext, name: string, full = false): Promise<UserFacts | undefined> {
  const r = await runTool(ctx, ['sh', '-c', READ_USER, 'sh', name, full ? 'full' : ''], {
    okCodes: [0, 2],
    what: `reading user '${name}'`,
  });
  if (r.exitCode === 2) return undefined;
  const lines = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) lines.set(line.slice(0, space), line.slice(space + 1));
  }
  const entry = parsePasswd(lines.get('passwd') ?? '');
  if (!entry) throw new SlothError('internal', `${ctx.fn}: unexpected getent output for user '${name}': ${r.stdout}`);
  const group = lines.get('group') || String(entry.gid);
  const groups = [...new Set((lines.get('groups') ?? '').split(' ').filter((g) => g && g !== group))].sort();
  const facts: UserFacts = { ...entry, group, groups };
  if (full) {
    const shadow = lines.get('shadow');
    if (shadow !== undefined) facts.passwordHash = shadow.split(':')[1] ?? '';
    facts.authorizedKeys = await readAuthorizedKeys(ctx, entry.home);
  }
  return facts;
}

/** name:password:uid:gid:gecos:home:shell. */
function parsePasswd(line: string) {
  const f = line.split(':');
  if (f.length < 7) return undefined;
  return {
    name: f[0] as string,
    uid: Number(f[2]),
    gid: Number(f[3]),
    comment: f[4] as string,
    home: f[5] as string,
    shell: f.slice(6).join(':'),
  };
}

/** Where a user's authorized keys live. */
export const authorizedKeysPath = (home: string) => `${home.replace(/\/+$/, '')}/.ssh/authorized_keys`;

async function readAuthorizedKeys(ctx: ModuleCallContext, home: string): Promise<string[] | undefined> {
  const path = authorizedKeysPath(home);
  if ((await ctx.host.stat(path))?.type !== 'file') return undefined;
  return (await ctx.host.readFile(path))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0);
}

/** The named group (a name or a gid), or undefined when there is none. */
export async function readGroup(ctx: ModuleCallContext, key: string | number): Promise<GroupFacts | undefined> {
  const r = await runTool(ctx, ['getent', 'group', String(key)], { okCodes: [0, 2] });
  if (r.exitCode === 2) return undefined;
  const [name = '', , gid = '', members = ''] = r.stdout.trim().split('\n')[0]?.split(':') ?? [];
  return { name, gid: Number(gid), members: members.split(',').filter(Boolean) };
}

/** The name of the user with this uid, or undefined when it is free. */
export async function userWithUid(ctx: ModuleCallContext, uid: number): Promise<string | undefined> {
  const r = await runTool(ctx, ['getent', 'passwd', String(uid)], { okCodes: [0, 2] });
  return r.exitCode === 2 ? undefined : r.stdout.split(':')[0];
}

/** Which of these group names do not exist (one getent call for all). */
export async function missingGroups(ctx: ModuleCallContext, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const r = await runTool(ctx, ['getent', 'group', ...names], { okCodes: [0, 2] });
  const found = new Set(r.stdout.split('\n').map((l) => l.split(':')[0]));
  return names.filter((n) => !found.has(n));
}
