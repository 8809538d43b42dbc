import Table from 'cli-table3';
import { pc } from './colors.js';

/** A table for people: bold headers on a terminal, no escape codes at all otherwise. */
export function table(head: string[], rows: string[][], colWidths?: number[]): string {
  const t = new Table({
    head,
    // cli-table3 colours headers red and borders grey by default, whatever the output is.
    style: pc.isColorSupported ? { head: ['bold'], border: [] } : { head: [], border: [] },
    wordWrap: true,
    ...(colWidths ? { colWidths } : {}),
  });
  for (const r of rows) t.push(r);
  return t.toString();
}
