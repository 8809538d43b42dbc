import { z } from '@sloth/core';

// useradd's own default NAME_REGEX (Debian's login.defs): a lower-case letter or _, then letters, digits, _ or -,
// optionally ending in $ (Samba machine accounts). Checking it here gives the error at the caller's line instead of
// useradd's "invalid user name" after facts were read.
const NAME = /^[a-z_][a-z0-9_-]*[$]?$/;
const MAX = 32;

/** Why `name` is not a valid user or group name, or undefined when it is. */
export function invalidName(name: string): string | undefined {
  if (name.length === 0) return 'expected a name, got an empty string';
  if (name.length > MAX) return `'${name}' is longer than ${MAX} characters`;
  if (/\s/.test(name)) return `'${name}' contains a space`;
  if (!NAME.test(name)) {
    return `'${name}' is not a valid name: use lower-case letters, digits, '_' and '-', starting with a letter or '_'`;
  }
  return undefined;
}

/** A user or group name, checked as useradd would. */
export const nameSchema = z.string().superRefine((name, ctx) => {
  const problem = invalidName(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A numeric id (uid, gid): a non-negative integer. */
export const idSchema = z.number().int().min(0, 'expected a non-negative id');
