import { luaList, luaTable, z } from '@sloth/core';

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

/** pkg.install's first argument: a name, a list, or a table { packages | name, deb, options... }. */
export const installSpec = z.preprocess(
  asTable,
  luaTable(
    z
      .object({ packages: names.optional(), name: names.optional(), deb: z.string().min(1).optional(), ...installOptions })
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
