import { closestName } from '@sloth/core/internal';

/** What a command's flag definitions tell about a flag (oclif's Flag, the parts we read). */
export interface FlagInfo {
  char?: string | undefined;
  helpValue?: string | string[] | undefined;
  type: string;
}

/** The parts of oclif's parse errors we read: unknown flags, missing arguments. */
export interface ParseErrorInfo {
  message: string;
  flags?: unknown;
  args?: unknown;
}

/**
 * oclif's parse errors in our words: `workflow list needs -f FILE` for a missing required flag, `unknown flag --fil
 * (did you mean --file?)`, `master add needs NAME ADDRESS`; other messages lose oclif's "The following error occurred"
 * and "See more help" wrapping (the caller's hint says where help is).
 */
export function describeParseError(err: ParseErrorInfo, command: string, flags: Record<string, FlagInfo>): string {
  const missing = [...err.message.matchAll(/Missing required flag (\S+)/g)].map((m) => m[1] as string);
  if (missing.length > 0) return `${command} needs ${missing.map((name) => flagUsage(name, flags[name])).join(' and ')}`;
  if (Array.isArray(err.flags) && err.flags.length > 0) {
    return err.flags.map((typed) => `unknown flag ${typed}${flagSuggestion(String(typed), flags)}`).join('; ');
  }
  if (Array.isArray(err.args) && /^Missing \d+ required arg/.test(err.message)) {
    const names = err.args.map((a) => String((a as { name?: unknown }).name ?? 'ARG').toUpperCase());
    return `${command} needs ${names.join(' ')}`;
  }
  return err.message
    .replace(/\nSee more help with --help$/, '')
    .replace(/^The following errors? occurred:\n\s*/, '')
    .replace(/\n\s+/g, '; ');
}

/** `-f FILE`, `--name NAME`, `--insecure`: how to give a flag. */
function flagUsage(name: string, flag: FlagInfo | undefined): string {
  const given = flag?.char ? `-${flag.char}` : `--${name}`;
  if (flag?.type === 'boolean') return given;
  const value = Array.isArray(flag?.helpValue) ? flag.helpValue.join(' ') : (flag?.helpValue ?? name.toUpperCase());
  return `${given} ${value}`;
}

/** " (did you mean --file?)" for a mistyped `--fil` (or `-x` among the one-letter flags), or "". */
function flagSuggestion(typed: string, flags: Record<string, FlagInfo>): string {
  const name = typed.replace(/^--?/, '').replace(/=.*$/, '');
  if (!typed.startsWith('--') && name.length === 1) return '';
  const near = closestName(name, Object.keys(flags));
  return near ? ` (did you mean --${near}?)` : '';
}
