import type { RunEvent } from '@sloth/core';
import { pc } from './colors.js';

type ResourceChanged = Extract<RunEvent, { type: 'resource.changed' }>;

/**
 * A change as text lines under its task: `[task] changed: file_ops.copy /etc/app.conf (content, mode)` ("would
 * change" in check mode), then with `--diff` its unified diff, or why there is none.
 */
export function formatChange(e: ResourceChanged, showDiff: boolean): string[] {
  const c = e.change;
  const prefix = pc.cyan(`[${c.host ? `${e.task}@${c.host}` : e.task}]`);
  const what = Object.keys(c.changes);
  const fn = c.function ? `${c.module}.${c.function}` : c.module;
  const verb = e.checkMode ? pc.yellow('would change:') : pc.yellow('changed:');
  const lines = [`${prefix} ${verb} ${fn} ${c.target}${what.length > 0 ? pc.dim(` (${what.join(', ')})`) : ''}`];
  if (!showDiff) return lines;
  if (c.diff !== undefined) lines.push(...c.diff.replace(/\n$/, '').split('\n').map(colorDiffLine));
  else if (c.diffSkipped !== undefined) lines.push(pc.dim(`  (diff skipped: ${c.diffSkipped})`));
  return lines;
}

function colorDiffLine(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return pc.bold(line);
  if (line.startsWith('+')) return pc.green(line);
  if (line.startsWith('-')) return pc.red(line);
  if (line.startsWith('@@')) return pc.cyan(line);
  return line;
}
