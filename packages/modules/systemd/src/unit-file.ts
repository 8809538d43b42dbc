import { z } from '@sloth/core';

/** What systemd.service writes into a unit file. */
export interface ServiceSpec {
  description?: string | undefined;
  exec_start: string;
  user?: string | undefined;
  working_directory?: string | undefined;
  environment: Record<string, string>;
  restart: string;
  wanted_by: string;
}

/** A value on one line of a unit file: a newline would start another directive. */
export const oneLine = (what: string) =>
  z.string().refine((v) => !/[\r\n]/.test(v), `${what} must be one line (a newline would start another directive)`);

/** An Environment= assignment, quoted: `\` and `"` escaped, `%` doubled (systemd expands %-specifiers there). */
const envAssignment = (key: string, value: string) =>
  `Environment="${`${key}=${value}`.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('%', '%%')}"`;

/** The unit file's text; environment variables in name order, so the same call always renders the same bytes. */
export function renderUnit(spec: ServiceSpec): string {
  const lines = ['# Written by Sloth Runner (systemd.service): edits here are replaced on its next run.', '[Unit]'];
  if (spec.description !== undefined) lines.push(`Description=${spec.description}`);
  lines.push('', '[Service]', `ExecStart=${spec.exec_start}`);
  if (spec.user !== undefined) lines.push(`User=${spec.user}`);
  if (spec.working_directory !== undefined) lines.push(`WorkingDirectory=${spec.working_directory}`);
  for (const key of Object.keys(spec.environment).sort()) {
    lines.push(envAssignment(key, spec.environment[key] as string));
  }
  lines.push(`Restart=${spec.restart}`, '', '[Install]', `WantedBy=${spec.wanted_by}`, '');
  return lines.join('\n');
}
