import { createColors } from 'picocolors';

/**
 * Colours are for terminals: off with NO_COLOR, when the stream is not a terminal (a pipe, a file, CI logs) or
 * TERM=dumb; FORCE_COLOR turns them on. picocolors alone also turns them on whenever CI is set.
 */
export function colorsWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Colours for what goes to stdout. */
export const pc = createColors(colorsWanted(process.stdout));
/** Colours for what goes to stderr (errors, hints). */
export const pcErr = createColors(colorsWanted(process.stderr));
