import { luaTable, luaTypeName, strictTable, z } from '@sloth/core';

/**
 * A function's options table: the fields of `shape`, an unknown field refused with the nearest known name (a
 * misspelt `mdoe` must not be silently ignored on a config file).
 */
export function optionsTable<S extends z.core.$ZodLooseShape>(shape: S, example: string) {
  return luaTable(strictTable(shape, 'field'), `expected a table of fields like ${example}, got a list`);
}

/** A required path (a missing one is reported as "expected string, got nil" with the field's name). */
export const pathField = z.string().min(1, 'expected a path, got an empty string');

/** Text a call gives (content, line, block): numbers are taken as their text, as Lua's io.write does. */
export const textField = z
  .union([z.string(), z.number()], { error: (issue) => `expected a string, got ${luaTypeName(issue.input)}` })
  .transform(String);

/**
 * Permission bits: a string of octal digits ("0644", "644", "2755") or a number, taken as its value (420 is 0644; a
 * Lua `0o644` literal arrives as 420). A number above 0777 written only with octal digits (644, 755) is refused: it
 * is an octal mode typed as a decimal.
 */
export const modeField = z
  .union([z.string(), z.number()], {
    error: (issue) => `expected a mode like "0644" or a number, got ${luaTypeName(issue.input)}`,
  })
  .transform((value, zctx) => {
    // Lua reads 0644 as the decimal 644 (0o1204: sticky, and no read bit for the owner): Ansible's best-known trap.
    if (typeof value === 'number' && value > 0o777 && /^[0-7]+$/.test(String(value))) {
      zctx.addIssue({
        code: 'custom',
        message: `mode ${value} is the number ${value} (0${value.toString(8)}), not 0${value}: write mode = "0${value}" (a string) or 0o${value}`,
      });
      return z.NEVER;
    }
    const bits = typeof value === 'number' ? value : /^[0-7]{1,4}$/.test(value) ? Number.parseInt(value, 8) : Number.NaN;
    if (Number.isInteger(bits) && bits >= 0 && bits <= 0o7777) return bits;
    zctx.addIssue({
      code: 'custom',
      message: `expected a mode: octal digits as a string ("0644", "644") or a number up to 4095 (420 is 0644), got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  });

/** An owner or group: a name, or a numeric id. */
export const accountField = z.union([z.string().min(1, 'expected a name, got an empty string'), z.number().int().nonnegative()], {
  error: (issue) => `expected a name or a numeric id, got ${luaTypeName(issue.input)}`,
});

/** "0644" for 0o644: how modes are shown in changes, results and stack records. */
export function formatMode(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/** The fields every function that manages a file's attributes takes. */
export const attributeFields = {
  mode: modeField.optional(),
  owner: accountField.optional(),
  group: accountField.optional(),
};

/** The fields of every function that writes a file's content: its attributes, backup, validate and diff. */
export const fileWriteFields = {
  ...attributeFields,
  backup: z.boolean().optional(),
  validate: z.string().min(1).optional(),
  diff: z.boolean().optional(),
};
