import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { SlothError } from '@sloth/core';
import type { ScheduleAddFlags } from '@sloth/master';
import type { CatchUpPolicy, OverlapPolicy, ScheduleInput, ScheduleRepo } from '@sloth/store-sqlite';
import { parseDurationFlag } from '../duration-flag.js';
import { nextFiring } from '../scheduler/next-firing.js';

/** The flags of `scheduler add`, as oclif parsed them (a master gets the same from AddSchedule). */
export type AddFlags = ScheduleAddFlags;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const ON_MASTER_HINT =
  "a schedule added with --master runs on the master's machine: its workflow file must be readable there, by the master's user, at this absolute path (copy it there, or use a file system both share)";

/**
 * Checks `scheduler add`'s flags and makes the schedule: the expression parses, the file exists (paths made absolute,
 * so the scheduler finds them from any directory), `--after` names an existing schedule. Errors are usage errors.
 * `onMaster`: the check runs in a master for `scheduler add --master`, so a missing file is said to be missing there.
 */
export function scheduleInput(
  name: string,
  flags: AddFlags,
  repo: ScheduleRepo,
  now = Date.now(),
  onMaster = false,
): ScheduleInput {
  if (!NAME.test(name)) {
    throw new SlothError('usage', `invalid schedule name '${name}'`, {
      hint: 'use letters, digits, "_", "-" and "." (up to 100 characters), starting with a letter or digit',
    });
  }
  if (flags.cron === undefined && flags.after === undefined) {
    throw new SlothError('usage', `schedule '${name}' needs --cron, --after, or both`, {
      hint: 'e.g. --cron "0 */6 * * *", --cron "@every 30s", or --after nightly_build',
    });
  }
  const file = resolve(flags.file);
  if (!existsSync(file) || !statSync(file).isFile()) {
    if (onMaster) throw new SlothError('usage', `workflow file not found on the master: ${file}`, { hint: ON_MASTER_HINT });
    throw new SlothError('usage', `workflow file not found: ${flags.file}`, { hint: 'pass the .sloth file with -f FILE' });
  }
  if (onMaster && !readable(file)) {
    throw new SlothError('usage', `the master cannot read the workflow file ${file}`, { hint: ON_MASTER_HINT });
  }
  if (flags.after !== undefined) {
    if (flags.after === name) throw new SlothError('usage', `schedule '${name}' cannot run after itself`);
    repo.get(flags.after);
  }
  const runArgs = [
    ...(flags.param ?? []).flatMap((p) => ['--param', p]),
    ...(flags.values ?? []).flatMap((v) => ['-v', resolve(v)]),
    ...(flags.set ?? []).flatMap((s) => ['--set', s]),
    ...(flags['delegate-to'] ? ['--delegate-to', flags['delegate-to']] : []),
  ];
  const timeoutMs = flags.timeout === undefined ? undefined : parseDurationFlag('--timeout', flags.timeout, 'e.g. --timeout 30m');
  const jitterMs = parseDurationFlag('--jitter', flags.jitter, 'e.g. --jitter 30s (each firing starts up to 30s late)');
  const timing = { cron: flags.cron?.trim() ?? '', timezone: flags.timezone, jitterMs };
  const enabled = !flags.disabled;
  // Parses the expression (a usage error naming what is wrong) and finds the first firing.
  const next = timing.cron === '' ? {} : nextFiring(timing, now);
  return {
    name,
    ...timing,
    file,
    workflow: flags.workflow,
    stack: flags.stack,
    runArgs,
    overlap: flags.overlap as OverlapPolicy,
    catchUp: flags['catch-up'] as CatchUpPolicy,
    timeoutMs: timeoutMs === 0 ? undefined : timeoutMs,
    after: flags.after,
    enabled,
    dueAt: enabled ? next.dueAt : undefined,
    fireAt: enabled ? next.fireAt : undefined,
  };
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
