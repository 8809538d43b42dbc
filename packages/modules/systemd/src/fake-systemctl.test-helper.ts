import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testContext } from '@sloth/core/testing';

// A real systemd cannot run as PID 1 on the test machines (containers), so the systemctl side is tested against this
// fake: a shell script that keeps each unit's `systemctl show` properties in units/NAME next to itself and appends
// each invocation to `calls`. Its daemon-reload loads the unit files of unit-dir/ (standing for /etc/systemd/system)
// as new, disabled, inactive units.
const SCRIPT = `#!/bin/sh
d=$(dirname "$0")
echo "$*" >> "$d/calls"
cmd=$1; shift
u() { echo "$d/units/$1"; }
get() { grep "^$2=" "$(u "$1")" | cut -d= -f2-; }
put() { f=$(u "$1"); grep -v "^$2=" "$f" > "$f.t"; echo "$2=$3" >> "$f.t"; mv "$f.t" "$f"; }
absent() { printf 'LoadState=not-found\\nActiveState=inactive\\nSubState=dead\\nUnitFileState=\\nMainPID=0\\nActiveEnterTimestamp=\\nNeedDaemonReload=no\\n'; }
need() {
  [ -f "$(u "$1")" ] && [ "$(get "$1" LoadState)" != not-found ] || { echo "Failed to $cmd $1: Unit $1 not found." >&2; exit 5; }
  [ "$(get "$1" LoadState)" != masked ] || { echo "Failed to $cmd $1: Unit $1 is masked." >&2; exit 1; }
}
case $cmd in
  show) if [ -f "$(u "$1")" ]; then cat "$(u "$1")"; else absent; fi ;;
  start|restart) need "$1"
    [ "$(get "$1" FailStart)" != yes ] || { echo "Job for $1 failed because the control process exited with error code." >&2; exit 1; }
    put "$1" ActiveState active; put "$1" SubState running; put "$1" MainPID 4242
    put "$1" ActiveEnterTimestamp 'Sat 2026-12-05 10:00:00 UTC' ;;
  stop) need "$1"; put "$1" ActiveState inactive; put "$1" SubState dead; put "$1" MainPID 0 ;;
  reload) need "$1"; [ "$(get "$1" ActiveState)" = active ] || { echo "Job for $1 failed: not active." >&2; exit 1; } ;;
  enable) need "$1"; put "$1" UnitFileState enabled ;;
  disable) need "$1"; put "$1" UnitFileState disabled ;;
  mask) [ -f "$(u "$1")" ] || absent > "$(u "$1")"; put "$1" UnitFileState masked; put "$1" LoadState masked ;;
  unmask) if [ -f "$(u "$1")" ]; then put "$1" UnitFileState disabled; put "$1" LoadState loaded; fi ;;
  daemon-reload) for f in "$d"/unit-dir/*; do
      [ -f "$f" ] || continue; n=$(basename "$f")
      [ -f "$(u "$n")" ] || printf 'LoadState=loaded\\nActiveState=inactive\\nSubState=dead\\nUnitFileState=disabled\\nMainPID=0\\nActiveEnterTimestamp=\\nNeedDaemonReload=no\\n' > "$(u "$n")"
    done ;;
  *) echo "fake systemctl: '$cmd' is not faked" >&2; exit 1 ;;
esac
`;

/** The systemctl verbs that change something (show is the only one that reads). */
const CHANGING = new Set(['start', 'stop', 'restart', 'reload', 'enable', 'disable', 'mask', 'unmask', 'daemon-reload']);

export interface FakeUnit {
  active?: boolean;
  unitFileState?: string;
  loadState?: string;
  /** Its start fails, as a unit whose ExecStart exits non-zero. */
  failStart?: boolean;
}

const made: string[] = [];

/** Removes the fakes' directories. */
export function cleanUpFakes(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fake systemctl with these units loaded, and contexts whose calls go to it. */
export function fakeSystemd(units: Record<string, FakeUnit> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-fake-systemd-'));
  made.push(dir);
  const script = join(dir, 'systemctl');
  writeFileSync(script, SCRIPT);
  chmodSync(script, 0o755);
  mkdirSync(join(dir, 'units'));
  const unitDir = join(dir, 'unit-dir');
  mkdirSync(unitDir);
  for (const [name, u] of Object.entries(units)) {
    const props = {
      LoadState: u.loadState ?? 'loaded',
      ActiveState: u.active ? 'active' : 'inactive',
      SubState: u.active ? 'running' : 'dead',
      UnitFileState: u.unitFileState ?? 'disabled',
      MainPID: u.active ? '4242' : '0',
      ActiveEnterTimestamp: u.active ? 'Sat 2026-12-05 10:00:00 UTC' : '',
      NeedDaemonReload: 'no',
      ...(u.failStart ? { FailStart: 'yes' } : {}),
    };
    writeFileSync(
      join(dir, 'units', name),
      `${Object.entries(props)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
    );
  }
  const calls = (): string[] => {
    const file = join(dir, 'calls');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  };
  return {
    unitDir,
    /** A test context whose systemctl is the fake (check mode when asked). */
    context(checkMode = false) {
      const t = testContext({ checkMode });
      return { ...t, ctx: { ...t.ctx, env: { ...t.ctx.env, SLOTH_SYSTEMCTL: script } } };
    },
    /** Every systemctl invocation so far, as its arguments joined by spaces. */
    calls,
    /** The invocations that change something. */
    changing: () => calls().filter((c) => CHANGING.has(c.split(' ')[0] ?? '')),
    /** The unit's properties as the fake holds them. */
    unit(name: string): Record<string, string> {
      const text = readFileSync(join(dir, 'units', name), 'utf8');
      return Object.fromEntries(
        text
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    },
    /** The environment for a workflow run whose systemctl is the fake. */
    env: { SLOTH_SYSTEMCTL: script },
  };
}
