import type { ModuleCallContext, ResourceReadback } from '@sloth/core';
import { ensureSystemd } from './systemctl.js';
import { readUnit } from './unit-facts.js';
import { stateOf, unitFileHash } from './unit-resource.js';

/**
 * The systemd drift hook: reads back the units (type "service") its functions recorded: enabled, state ("started"
 * or "stopped"), masked, and the unit file's hash when systemd.service wrote it. Only recorded properties are read.
 */
export async function readSystemdResource(
  type: string,
  name: string,
  properties: Record<string, unknown>,
  callCtx: ModuleCallContext,
): Promise<ResourceReadback | undefined> {
  if (type !== 'service') return undefined;
  // `stack drift` calls it outside any function: its messages start with the module's name.
  const ctx = { ...callCtx, fn: callCtx.fn || 'systemd' };
  await ensureSystemd(ctx);
  const facts = await readUnit(ctx, name);
  const current: Record<string, unknown> = { name };
  if (typeof properties.unit_path === 'string') {
    current.unit_path = properties.unit_path;
    current.unit_file = await unitFileHash(ctx, properties.unit_path);
  }
  if (facts.load_state === 'not-found' && current.unit_file === undefined) return { exists: false };
  if ('enabled' in properties) current.enabled = facts.enabled;
  if ('state' in properties) current.state = stateOf(facts);
  if ('masked' in properties) current.masked = facts.masked;
  return { exists: true, properties: current };
}
