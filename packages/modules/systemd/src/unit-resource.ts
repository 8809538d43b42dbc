import { type Changes, defineResource, type ModuleCallContext, SlothError, sha256Hex, z } from '@sloth/core';
import { systemctl } from './systemctl.js';
import { NOT_INSTALLABLE, readUnit, type UnitFacts, unknownUnit } from './unit-facts.js';

/** What a call asks of a unit: each property left out is not managed. */
export const unitDesired = z.object({
  enabled: z.boolean().optional(),
  state: z.enum(['started', 'stopped']).optional(),
  masked: z.boolean().optional(),
  /** restart and reload: always done, whatever the unit's state. */
  action: z.enum(['restarted', 'reloaded']).optional(),
  /** The unit file's text (systemd.service), written to the resource's unit path. */
  content: z.string().optional(),
});
export type UnitDesired = z.output<typeof unitDesired>;

/** A unit as systemd has it, and its unit file when the call manages one. */
export interface UnitActual extends UnitFacts {
  file?: { content: string; sha256: string } | undefined;
}

/** How a call treats its unit. */
export interface UnitResourceOptions {
  /** Where the unit file lives when the call manages it (systemd.service). */
  unitPath?: string | undefined;
  /** mask and unmask: a unit systemd does not know is no error (masking one that does not exist is allowed). */
  mayBeMissing?: boolean | undefined;
  /** restart and reload: nothing to record (a record would replace the unit's enabled and state in the stack). */
  noRecord?: boolean | undefined;
}

/** started or stopped, as the `state` change shows it. */
export const stateOf = (facts: UnitFacts) => (facts.active ? 'started' : 'stopped');

async function readUnitFile(ctx: ModuleCallContext, path: string): Promise<UnitActual['file']> {
  if ((await ctx.host.stat(path))?.type !== 'file') return undefined;
  const content = (await ctx.host.readFile(path)).toString('utf8');
  return { content, sha256: sha256Hex(content) };
}

/** What differs: unit_file (as sha256 hashes) or unit_loaded (systemd has not loaded it yet), masked, enabled and state (or the restart/reload always asked). */
export function diffUnit(desired: UnitDesired, actual: UnitActual | undefined): Changes {
  const changes: Changes = {};
  if (!actual) return changes;
  if (desired.content !== undefined) {
    const wanted = sha256Hex(desired.content);
    if (actual.file?.sha256 !== wanted) {
      changes.unit_file = { old: actual.file && `sha256:${actual.file.sha256}`, new: `sha256:${wanted}` };
    } else if (actual.load_state === 'not-found' || actual.need_daemon_reload) {
      // The file is right but systemd has not loaded it (a run stopped between the write and daemon-reload, or an
      // edit by hand): reload, or enable and start would act on what systemd has.
      changes.unit_loaded = { old: false, new: true };
    }
  }
  if (desired.masked !== undefined && actual.masked !== desired.masked) {
    changes.masked = { old: actual.masked, new: desired.masked };
  }
  // A static (or generated, indirect...) unit has nothing that enable or disable could change.
  const installable = !NOT_INSTALLABLE.has(actual.unit_file_state) || changes.unit_file !== undefined;
  if (desired.enabled !== undefined && actual.enabled !== desired.enabled && installable) {
    changes.enabled = { old: actual.enabled, new: desired.enabled };
  }
  if (desired.state !== undefined && stateOf(actual) !== desired.state) {
    changes.state = { old: stateOf(actual), new: desired.state };
  }
  if (desired.action !== undefined) changes.state = { old: stateOf(actual), new: desired.action };
  return changes;
}

/**
 * A systemd unit, named as systemctl takes it. Facts from `systemctl show` (and the unit file when the call manages
 * one); changes through the unit file (written atomically, then `daemon-reload`), unmask, enable/disable,
 * start/stop/restart/reload and mask, in that order. A unit systemd does not know is an error at the caller's line,
 * except in check mode (a warning: an earlier step, a package install, may bring it).
 */
export function unitResource(options: UnitResourceOptions = {}) {
  let seen: UnitActual | undefined;
  const resource = defineResource({
    type: 'service',
    desired: unitDesired,
    async read(ctx, name): Promise<UnitActual> {
      const facts = await readUnit(ctx, name);
      const file = options.unitPath === undefined ? undefined : await readUnitFile(ctx, options.unitPath);
      if (facts.load_state === 'not-found' && options.unitPath === undefined && !options.mayBeMissing) {
        const err = unknownUnit(ctx, name);
        if (!ctx.checkMode) throw err;
        ctx.log.log('warn', `${err.message} (check mode: a real run fails unless an earlier step installs it)`);
      }
      seen = { ...facts, file };
      return seen;
    },
    diff: diffUnit,
    content(desired, actual) {
      if (desired.content === undefined || actual?.file?.content === desired.content) return undefined;
      return { before: actual?.file?.content, after: desired.content };
    },
    async apply(ctx, name, changes, desired) {
      const done: string[] = [];
      const run = async (args: string[]) => {
        await systemctl(ctx, args);
        done.push(`systemctl ${args.join(' ')}`);
      };
      try {
        if (changes.unit_file && options.unitPath !== undefined) {
          await ctx.host.writeFile(options.unitPath, desired.content as string, { makeParents: true, mode: 0o644 });
          done.push(`${options.unitPath} written`);
        }
        if (changes.unit_file || changes.unit_loaded) await run(['daemon-reload']);
        if (changes.masked?.new === false) await run(['unmask', name]);
        if (changes.enabled) await run([desired.enabled ? 'enable' : 'disable', name]);
        if (changes.state) {
          const verb = { started: 'start', stopped: 'stop', restarted: 'restart', reloaded: 'reload' } as const;
          await run([verb[changes.state.new as keyof typeof verb], name]);
        }
        if (changes.masked?.new === true) await run(['mask', name]);
      } catch (err) {
        // A failure after a first step: say what did change, since the call reports no outcome.
        if (done.length === 0 || !(err instanceof SlothError)) throw err;
        throw new SlothError(err.code, `${err.message} (done before that: ${done.join(', ')})`, {
          hint: err.hint,
          cause: err,
        });
      }
    },
    // What `stack drift` compares. enabled and state are recorded together: the one a call does not set as the call
    // found it, so `systemd.enable` then `systemd.start` of one unit leaves a record with both.
    record(name, desired) {
      const props: Record<string, unknown> = { name };
      if (desired.enabled !== undefined || desired.state !== undefined) {
        // A static unit stays as it is whatever was asked (see diffUnit): record what it is.
        const fixed = seen !== undefined && NOT_INSTALLABLE.has(seen.unit_file_state) && desired.content === undefined;
        props.enabled = fixed ? seen?.enabled : (desired.enabled ?? seen?.enabled);
        props.state = desired.state ?? (seen && stateOf(seen));
      }
      if (desired.masked !== undefined) props.masked = desired.masked;
      if (desired.content !== undefined && options.unitPath !== undefined) {
        props.unit_path = options.unitPath;
        props.unit_file = `sha256:${sha256Hex(desired.content)}`;
      }
      return props;
    },
  });
  return options.noRecord ? { ...resource, record: undefined } : resource;
}

/** The unit file's hash as the drift hook reads it back. */
export async function unitFileHash(ctx: ModuleCallContext, path: string): Promise<string | undefined> {
  const file = await readUnitFile(ctx, path);
  return file && `sha256:${file.sha256}`;
}

/** A check for the error of an unknown unit, for functions that read facts without converging. */
export async function knownUnit(ctx: ModuleCallContext, name: string): Promise<UnitFacts> {
  const facts = await readUnit(ctx, name);
  if (facts.load_state === 'not-found') throw unknownUnit(ctx, name);
  return facts;
}
