import type { RunEvent } from '@sloth/core';
import { pc } from './colors.js';

/** One log event as a line: `[task] message` (`[task@agent]` for a delegated task), with the level named when it is not info. */
export function formatLogLine(event: Extract<RunEvent, { type: 'task.log' }>): string {
  const prefix = pc.cyan(`[${event.agent ? `${event.task}@${event.agent}` : event.task}]`);
  const fields = event.fields && Object.keys(event.fields).length > 0 ? ` ${pc.dim(formatFields(event.fields))}` : '';
  if (event.stream) return `${prefix} ${event.message}`;
  switch (event.level) {
    case 'error':
      return `${prefix} ${pc.red('ERROR')} ${event.message}${fields}`;
    case 'warn':
      return `${prefix} ${pc.yellow('WARN')} ${event.message}${fields}`;
    case 'debug':
      return `${prefix} ${pc.dim(`DEBUG ${event.message}`)}${fields}`;
    default:
      return `${prefix} ${event.message}${fields}`;
  }
}

function formatFields(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}
