import { z } from '@sloth/core';

// What systemd accepts in a unit name (unit_name_is_valid): letters, digits and ":-_.\@", at most 255 characters.
// Checking it here gives the error at the caller's line, and keeps a name from reaching systemctl as an option.
const UNIT_CHARS = /^[A-Za-z0-9:_.\\@-]+$/;
const MAX = 255;

/** Why `name` is not a valid unit name, or undefined when it is. */
export function invalidUnitName(name: string): string | undefined {
  if (name.length === 0) return 'expected a unit name, got an empty string';
  if (name.includes('/')) return `'${name}' contains '/': give the unit's name (nginx or nginx.service), not a path`;
  if (name.length > MAX) return `'${name}' is longer than ${MAX} characters`;
  if (name.startsWith('-')) return `'${name}' starts with '-'`;
  if (!UNIT_CHARS.test(name)) return `'${name}' is not a valid unit name: use letters, digits and ':-_.\\@'`;
  return undefined;
}

/** A unit name ("nginx", "nginx.service", "getty@tty1.service"), checked as systemd would. */
export const unitNameSchema = z.string().superRefine((name, ctx) => {
  const problem = invalidUnitName(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
