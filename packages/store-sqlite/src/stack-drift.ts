import {
  createModuleContext,
  errorMessage,
  type ModuleCallContext,
  type ModuleSpec,
  type ResourceRecord,
} from '@sloth/core/internal';
import { canonicalJson } from './stack-repo.js';

export type DriftStatus = 'in_sync' | 'drifted' | 'missing' | 'not_checkable' | 'error';

export interface DriftEntry {
  type: string;
  name: string;
  module: string | undefined;
  status: DriftStatus;
  /** The recorded properties whose current value differs. */
  differences: { property: string; recorded: unknown; current: unknown }[];
  /** Why it could not be checked, or what failed. */
  reason?: string | undefined;
}

/**
 * Compares each resource's recorded properties with what its module reads back (ModuleSpec.readResource), on this
 * machine: `stack drift` and the dashboard's drift check. `signal` stops the reads still to come.
 */
export async function detectDrift(
  resources: ResourceRecord[],
  modules: ModuleSpec[],
  signal?: AbortSignal,
): Promise<DriftEntry[]> {
  const ctx = driftContext(signal);
  const out: DriftEntry[] = [];
  for (const r of resources) {
    const entry: DriftEntry = { type: r.type, name: r.name, module: r.module, status: 'not_checkable', differences: [] };
    out.push(entry);
    const module = modules.find((m) => m.name === r.module);
    // Converged by a delegated task: it lives on that agent, and this command reads this machine.
    if (typeof r.properties.host === 'string') {
      entry.reason = `on agent '${r.properties.host}': drift is read on this machine only`;
      continue;
    }
    if (!module?.readResource) {
      entry.reason = !r.module
        ? 'registered without a module (pass module = "..." to stack.register_resource)'
        : module
          ? `module '${r.module}' cannot read resources back`
          : `no module '${r.module}' in this build to read it back`;
      continue;
    }
    if (signal?.aborted) {
      entry.status = 'error';
      entry.reason = 'the check was cancelled';
      continue;
    }
    try {
      const current = await module.readResource(r.type, r.name, r.properties, ctx);
      if (!current) {
        entry.reason = `module '${r.module}' cannot read resources of type '${r.type}'`;
      } else if (!current.exists) {
        entry.status = 'missing';
      } else {
        for (const [property, value] of Object.entries(current.properties ?? {})) {
          if (canonicalJson(value) !== canonicalJson(r.properties[property])) {
            entry.differences.push({ property, recorded: r.properties[property], current: value });
          }
        }
        entry.status = entry.differences.length > 0 ? 'drifted' : 'in_sync';
      }
    } catch (err) {
      entry.status = 'error';
      entry.reason = errorMessage(err);
    }
  }
  return out;
}

/** How many entries drifted or are missing (what makes `stack drift` exit 1). */
export function driftedCount(entries: DriftEntry[]): number {
  return entries.filter((e) => e.status === 'drifted' || e.status === 'missing').length;
}

/** A module context for reading only: no task, relative paths against the current directory. */
function driftContext(signal: AbortSignal | undefined): ModuleCallContext {
  return createModuleContext({ checkMode: true, signal });
}
