import type { DriftStatus } from '@sloth/store-sqlite';
import { pc } from '../render/colors.js';

/** The drift status, coloured for people. */
export function driftStatusText(status: DriftStatus): string {
  if (status === 'in_sync') return pc.green(status);
  if (status === 'not_checkable') return pc.dim(status);
  return status === 'error' ? pc.yellow(status) : pc.red(status);
}
