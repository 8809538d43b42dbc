import { type ModuleCallContext, SlothError } from '@sloth/core';
import { systemctl } from './systemctl.js';

/** A unit as systemd has it loaded (`systemctl show`). */
export interface UnitFacts {
  load_state: string;
  active_state: string;
  sub_state: string;
  unit_file_state: string;
  main_pid: number;
  /** When it last became active ("Sat 2026-12-05 10:00:00 UTC"), or undefined when it never did. */
  since: string | undefined;
  /** Running, or on its way (active, reloading, activating). */
  active: boolean;
  /** As `systemctl is-enabled` answers yes: enabled, or started by something else (static, indirect...). */
  enabled: boolean;
  masked: boolean;
  /** Its unit file changed on disk since systemd loaded it (NeedDaemonReload). */
  need_daemon_reload: boolean;
}

const PROPS = ['ActiveState', 'SubState', 'UnitFileState', 'LoadState', 'MainPID', 'ActiveEnterTimestamp', 'NeedDaemonReload'];
const ACTIVE = new Set(['active', 'reloading', 'activating']);
const ENABLED = new Set(['enabled', 'enabled-runtime', 'alias', 'static', 'indirect', 'generated']);
/** Unit file states that `systemctl enable` and `disable` cannot change (no [Install] section, or not a file). */
export const NOT_INSTALLABLE = new Set(['static', 'indirect', 'generated', 'transient', 'alias']);

/** Parses `systemctl show -p ...` output: one KEY=value per line. */
export function parseShow(stdout: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) props[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return props;
}

/** The facts systemd has of a unit, whether or not it exists (load_state "not-found"). */
export async function readUnit(ctx: ModuleCallContext, name: string): Promise<UnitFacts> {
  const p = parseShow((await systemctl(ctx, ['show', name, '-p', PROPS.join(',')])).stdout);
  const unitFileState = p.UnitFileState ?? '';
  const loadState = p.LoadState ?? '';
  const masked = loadState === 'masked' || unitFileState.startsWith('masked');
  return {
    load_state: loadState,
    active_state: p.ActiveState ?? '',
    sub_state: p.SubState ?? '',
    unit_file_state: unitFileState,
    main_pid: Number(p.MainPID ?? 0) || 0,
    since: p.ActiveEnterTimestamp || undefined,
    active: ACTIVE.has(p.ActiveState ?? ''),
    enabled: !masked && ENABLED.has(unitFileState),
    masked,
    need_daemon_reload: p.NeedDaemonReload === 'yes',
  };
}

/** The error of a unit systemd does not know. */
export function unknownUnit(ctx: ModuleCallContext, name: string): SlothError {
  return new SlothError('not_found', `${ctx.fn}: unit '${name}' is not known to systemd on ${ctx.host.name}`, {
    hint: `check the name (systemctl list-unit-files '${name}*'); install its package or write its unit file first (systemd.service)`,
  });
}
