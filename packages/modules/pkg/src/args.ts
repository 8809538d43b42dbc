import { luaList, luaTable, type ModuleCallContext, SlothError, z } from '@sloth/core';

// A Debian package name (with an optional :arch), optionally pinned to a version as Ansible writes it: "nginx=1.24.0-1".
// Never starts with '-': names go to apt-get's command line.
const NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]*(?::[A-Za-z0-9-]+)?$/;
const packageName = z.string().refine((s) => NAME.test(s.split('=')[0] ?? '') && !/\s/.test(s), {
  error: (issue) => `'${String(issue.input)}' is not a package name (letters, digits, + . - _, not starting with -)`,
});
const nameList = luaList(z.array(packageName).min(1, 'expected at least one package name'));
const names = z.union([packageName, nameList], { error: 'expected a package name or a list of names' });

const lockTimeout = z.number().int().nonnegative().optional();

/** Options of pkg.install, in its table or as its second argument. */
export const installOptions = {
  state: z.enum(['present', 'latest']).optional(),
  version: z.string().min(1).optional(),
  update_cache: z.boolean().optional(),
  cache_valid_time: z.number().int().nonnegative().optional(),
  install_recommends: z.boolean().optional(),
  allow_downgrade: z.boolean().optional(),
  lock_timeout: lockTimeout,
};

// "nginx", {"nginx", "vim"} and { "nginx", "vim", state = "latest" } are shorthands for { packages = ... }: one schema
// then checks every form, and its messages name the field. (A Lua table with both a list part and keys arrives as an
// object whose list keys are "1", "2", ...)
function asTable(v: unknown): unknown {
  if (typeof v === 'string' || (Array.isArray(v) && v.length > 0)) return { packages: v };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const entries = Object.entries(v);
  const listed = entries.filter(([k]) => /^\d+$/.test(k)).sort(([a], [b]) => Number(a) - Number(b));
  if (listed.length === 0 || 'packages' in v || 'name' in v) return v;
  return { ...Object.fromEntries(entries.filter(([k]) => !/^\d+$/.test(k))), packages: listed.map(([, name]) => name) };
}

/** pkg.install's first argument: a name, a list, or a table { packages | name, deb | file, options... }. */
export const installSpec = z.preprocess(
  asTable,
  luaTable(
    z
      .object({
        packages: names.optional(),
        name: names.optional(),
        deb: z.string().min(1).optional(),
        file: z.string().min(1).optional(),
        ...installOptions,
      })
      .strict(),
  ),
);
export const installOptionsSchema = luaTable(z.object(installOptions).strict()).optional();

/** pkg.remove's first argument: a name, a list, or { packages | name, purge }. */
export const removeSpec = z.preprocess(
  asTable,
  luaTable(
    z
      .object({ packages: names.optional(), name: names.optional(), purge: z.boolean().optional(), lock_timeout: lockTimeout })
      .strict(),
  ),
);
export const removeOptionsSchema = luaTable(
  z.object({ purge: z.boolean().optional(), lock_timeout: lockTimeout }).strict(),
).optional();

/** One package a call names: its name and the version pinned ("nginx=1.24.0-1" or `version = ...`). */
export interface PackageRequest {
  name: string;
  pin: string | undefined;
}

/** The names a table gives (`packages` or `name`), each split from its pinned version. */
export function requests(value: string | string[] | undefined): PackageRequest[] {
  const list = value === undefined ? [] : typeof value === 'string' ? [value] : value;
  return list.map((entry) => {
    const eq = entry.indexOf('=');
    return eq < 0 ? { name: entry, pin: undefined } : { name: entry.slice(0, eq), pin: entry.slice(eq + 1) || undefined };
  });
}

/** The packages a call's table names, in `packages` or (the same field) `name`. */
export function namedPackages(
  ctx: ModuleCallContext,
  o: { packages?: string | string[] | undefined; name?: string | string[] | undefined },
): PackageRequest[] {
  if (o.packages !== undefined && o.name !== undefined) {
    throw new SlothError('invalid_argument', `${ctx.fn}: give packages or name, not both`, { hint: 'they are the same field' });
  }
  return requests(o.packages ?? o.name);
}

/** The packages an install names, with `version` applied (it pins the one package named; "latest" is a state). */
export function installRequests(
  ctx: ModuleCallContext,
  o: { packages?: string | string[] | undefined; name?: string | string[] | undefined; version?: string | undefined },
): PackageRequest[] {
  const named = namedPackages(ctx, o);
  if (o.version !== undefined && o.version !== 'latest') {
    if (named.length !== 1) {
      throw new SlothError('invalid_argument', `${ctx.fn}: version applies to one package, got ${named.length}`, {
        hint: 'pin each in its name instead: { "nginx=1.24.0-1", "vim" }',
      });
    }
    (named[0] as PackageRequest).pin = o.version;
  }
  return named;
}

/** The local package file of an install (`deb` or `file`, the same option), if any. */
export function packageFile(
  ctx: ModuleCallContext,
  o: { deb?: string | undefined; file?: string | undefined },
): string | undefined {
  if (o.deb !== undefined && o.file !== undefined) {
    throw new SlothError('invalid_argument', `${ctx.fn}: give deb or file, not both`, {
      hint: 'file is the same option, for any package manager',
    });
  }
  return o.deb ?? o.file;
}
