import {
  type Changes,
  changeResult,
  converge,
  defineResource,
  type HostStat,
  type ModuleCallContext,
  SlothError,
  sha256Hex,
  shellQuote,
  z,
} from '@sloth/core';
import { formatMode } from './fields.js';
import { lookupOwnership } from './ownership.js';

/** A regular file as it is: its bytes, their hash, mode and owner. */
export interface FileFacts extends ActualAttributes {
  /** undefined when it cannot be read (permission), so it differs from any desired content. */
  content: Buffer | undefined;
  sha256: string | undefined;
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

/**
 * A regular file named by its absolute path. Desired: its content (optional: attributes only), mode, owner and group
 * (each optional: not managed when left out). Changes report content as hashes, never the text.
 */
export const managedFile = defineResource({
  type: 'file',
  desired: z.object({
    content: z.custom<Uint8Array>(isBytes).optional(),
    mode: z.number().optional(),
    uid: z.number().optional(),
    owner: z.string().optional(),
    gid: z.number().optional(),
    group: z.string().optional(),
    /** Where the old content is copied before it is replaced (`backup = true`). */
    backupPath: z.string().optional(),
    /** A command with %s for the new content, that must succeed before it replaces the file. */
    validate: z.string().optional(),
    /**
     * The attributes an existing file has, for the stack record of those the call does not set (so `stack drift`
     * sees a chmod behind the workflow's back too).
     */
    kept: z.object({ mode: z.number(), owner: z.string(), group: z.string() }).optional(),
  }),
  read: readFileFacts,
  diff(desired, actual) {
    const changes: Changes = {};
    if (desired.content !== undefined) {
      const wanted = sha256Hex(desired.content);
      if (actual?.sha256 !== wanted) {
        changes.content = { old: actual ? `sha256:${actual.sha256 ?? 'unreadable'}` : undefined, new: `sha256:${wanted}` };
      }
    }
    return { ...changes, ...attributeChanges(desired, actual) };
  },
  content(desired, actual) {
    if (desired.content === undefined || actual?.sha256 === sha256Hex(desired.content)) return undefined;
    return { before: actual?.content, after: desired.content };
  },
  async apply(ctx, path, changes, desired) {
    if (changes.content) {
      if (desired.backupPath && changes.content.old !== undefined) await ctx.host.copyFile(path, desired.backupPath);
      const command = desired.validate;
      await ctx.host.writeFile(path, desired.content as Uint8Array, {
        makeParents: true,
        mode: desired.mode,
        uid: desired.uid,
        gid: desired.gid,
        validate: command === undefined ? undefined : (temp) => runValidate(ctx, path, command, temp),
      });
      return;
    }
    await applyAttributes(ctx, path, changes, desired);
  },
  record(path, desired) {
    const { kept } = desired;
    const record = recordedAttributes(path, {
      mode: desired.mode ?? kept?.mode,
      owner: desired.owner ?? kept?.owner,
      group: desired.group ?? kept?.group,
    });
    return desired.content === undefined ? record : { ...record, sha256: sha256Hex(desired.content) };
  },
});

/** What a call asks of a path's attributes (each undefined: not managed). */
export interface WantedAttributes {
  mode?: number | undefined;
  uid?: number | undefined;
  owner?: string | undefined;
  gid?: number | undefined;
  group?: string | undefined;
}

/** The attributes of a path as they are. */
export interface ActualAttributes {
  mode: number;
  uid: number;
  gid: number;
  owner: string;
  group: string;
}

/** The mode, owner and group that differ from what is asked, as shown to users ("0644", names). */
export function attributeChanges(desired: WantedAttributes, actual: ActualAttributes | undefined): Changes {
  const changes: Changes = {};
  if (desired.mode !== undefined && actual?.mode !== desired.mode) {
    changes.mode = { old: actual && formatMode(actual.mode), new: formatMode(desired.mode) };
  }
  if (desired.uid !== undefined && actual?.uid !== desired.uid) changes.owner = { old: actual?.owner, new: desired.owner };
  if (desired.gid !== undefined && actual?.gid !== desired.gid) changes.group = { old: actual?.group, new: desired.group };
  return changes;
}

/** Sets the mode, owner and group that `changes` lists. */
export async function applyAttributes(ctx: ModuleCallContext, path: string, changes: Changes, desired: WantedAttributes) {
  const owned = changes.owner !== undefined || changes.group !== undefined;
  if (owned) await ctx.host.chown(path, changes.owner ? desired.uid : undefined, changes.group ? desired.gid : undefined);
  // chown clears the setuid and setgid bits: a mode that has them is set again after it.
  const special = desired.mode !== undefined && (desired.mode & 0o6000) !== 0;
  if (changes.mode || (owned && special)) await ctx.host.chmod(path, desired.mode as number);
}

/** The recorded attributes asked for: mode as "0644", owner and group names. */
export function recordedAttributes(path: string, desired: WantedAttributes): Record<string, unknown> {
  const record: Record<string, unknown> = { path };
  if (desired.mode !== undefined) record.mode = formatMode(desired.mode);
  if (desired.owner !== undefined) record.owner = desired.owner;
  if (desired.group !== undefined) record.group = desired.group;
  return record;
}

/** The owner and group names of a stat's ids (the id as text when it has no name). */
export async function namedAttributes(ctx: ModuleCallContext, info: HostStat): Promise<ActualAttributes> {
  const [user, group] = await Promise.all([
    info.owner === undefined ? ctx.host.lookupUser(info.uid) : { name: info.owner },
    info.group === undefined ? ctx.host.lookupGroup(info.gid) : { name: info.group },
  ]);
  return {
    mode: info.mode,
    uid: info.uid,
    gid: info.gid,
    owner: user?.name ?? String(info.uid),
    group: group?.name ?? String(info.gid),
  };
}

/** The facts of a regular file (symlinks followed), or undefined when the path does not exist or is not one. */
export async function readFileFacts(ctx: ModuleCallContext, path: string): Promise<FileFacts | undefined> {
  return (await readPathFacts(ctx, path)).facts;
}

/** A path's stat (symlinks followed) and, when it is a regular file, its facts. */
interface PathFacts {
  info: HostStat | undefined;
  facts: FileFacts | undefined;
}

/** The path's stat (symlinks followed) and, when it is a regular file, its facts: one stat for both. */
async function readPathFacts(ctx: ModuleCallContext, path: string): Promise<PathFacts> {
  const info = await ctx.host.stat(path);
  return { info, facts: info?.type === 'file' ? await fileFacts(ctx, path, info) : undefined };
}

async function fileFacts(ctx: ModuleCallContext, path: string, info: HostStat): Promise<FileFacts> {
  let content: Buffer | undefined;
  try {
    content = await ctx.host.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
  }
  return { content, sha256: content && sha256Hex(content), ...(await namedAttributes(ctx, info)) };
}

/** Runs a `validate` command on the new content; a failure keeps the file as it was. */
async function runValidate(ctx: ModuleCallContext, path: string, command: string, temp: string): Promise<void> {
  const line = command.replaceAll('%s', shellQuote(temp));
  const r = await ctx.host.run(line);
  if (r.exitCode === 0) return;
  const output = (r.stderr.trim() || r.stdout.trim()).slice(-2000);
  const how = r.exitCode === null ? `was stopped (${r.signal ?? r.spawnError ?? 'no exit code'})` : `exited with ${r.exitCode}`;
  throw new SlothError(
    'task_failed',
    `${ctx.fn}: validate command '${command}' ${how}; '${path}' was left as it was${output ? `:\n${output}` : ''}`,
    {
      hint: 'the new content did not pass validation: fix the source or template (the validate output above says what is wrong)',
    },
  );
}

/** What a file-writing call asks for: the content and the attributes, as the user gave them. */
export interface FileRequest {
  content?: Uint8Array | undefined;
  mode?: number | undefined;
  owner?: string | number | undefined;
  group?: string | number | undefined;
  backup?: boolean | undefined;
  validate?: string | undefined;
  diff?: boolean | undefined;
}

/**
 * Converges the file at `path` (absolute) to a request and returns the change contract's table with `fields` (the
 * function's own: dest, path...), plus `mode`, `owner`, `group` as asked and `backup_file` when one was made.
 */
export async function convergeFile(
  ctx: ModuleCallContext,
  path: string,
  request: FileRequest,
  fields: Record<string, unknown>,
  /** The file's facts when the caller has just read them (lineinfile edits what it read). */
  facts?: FileFacts | undefined,
): Promise<Record<string, unknown>> {
  if (request.validate !== undefined && !request.validate.includes('%s')) {
    throw new SlothError('invalid_argument', `${ctx.fn}: validate '${request.validate}' has no %s`, {
      hint: 'write %s where the command takes the file to check, e.g. validate = "nginx -t -c %s"',
    });
  }
  const { user, group } = await lookupOwnership(ctx, request.owner, request.group);
  // Read once: the facts serve the diff, and the attributes a file keeps go into its stack record. A small new content
  // is offered with the look where the host can take both in one round trip: a missing file is then created by it.
  const offered = facts ? undefined : await offerContent(ctx, path, request, user?.id, group?.id);
  const read = facts
    ? { info: undefined, facts }
    : offered?.created
      ? { info: undefined, facts: undefined }
      : (offered?.read ?? (await readPathFacts(ctx, path)));
  const actual = read.facts;
  const other = actual ? undefined : read.info;
  if (other) {
    throw new SlothError('invalid_argument', `${ctx.fn}: '${path}' is a ${other.type}, not a file`, {
      hint: 'give the path of a file, or remove what is there first',
    });
  }
  const backupPath = request.backup ? `${path}.${backupStamp()}~` : undefined;
  const created = offered?.created === true;
  const outcome = await converge(
    // Created with its content, mode and owner already: converging reports the change and has nothing left to do.
    { ...managedFile, read: async () => actual, ...(created ? { apply: async () => {} } : {}) },
    path,
    {
      content: request.content,
      mode: request.mode,
      uid: user?.id,
      owner: user?.name,
      gid: group?.id,
      group: group?.name,
      backupPath,
      validate: request.validate,
      kept: actual && { mode: actual.mode, owner: actual.owner, group: actual.group },
    },
    ctx,
    { diff: request.diff },
  );
  const backedUp = backupPath !== undefined && !ctx.checkMode && outcome.changes.content?.old !== undefined;
  return changeResult(outcome, {
    ...fields,
    mode: request.mode === undefined ? undefined : formatMode(request.mode),
    owner: user?.name,
    group: group?.name,
    backup_file: backedUp ? backupPath : undefined,
  });
}

/** Content sent along with the look at most: a copy or template of a config file, not a large artifact. */
const OFFER_BYTES = 64 * 1024;

/**
 * Host.createOrRead for a small content with no validate or backup, outside check mode: created when missing, else
 * the facts of what is there (content included when small). Undefined where it does not apply or the look raced:
 * the caller reads as usual.
 */
async function offerContent(
  ctx: ModuleCallContext,
  path: string,
  request: FileRequest,
  uid: number | undefined,
  gid: number | undefined,
): Promise<{ created: true; read?: undefined } | { created: false; read: PathFacts } | undefined> {
  const content = request.content;
  if (!ctx.host.createOrRead || ctx.checkMode || content === undefined || content.length > OFFER_BYTES) return undefined;
  if (request.validate !== undefined || request.backup) return undefined;
  const r = await ctx.host.createOrRead(path, content, { makeParents: true, mode: request.mode, uid, gid, maxRead: OFFER_BYTES });
  if (r.created) return { created: true };
  if (r.raced) return undefined;
  if (r.info.type !== 'file') return { created: false, read: { info: r.info, facts: undefined } };
  // Larger than what comes with the look: read as usual.
  if (r.content === undefined) return undefined;
  return {
    created: false,
    read: { info: r.info, facts: { content: r.content, sha256: sha256Hex(r.content), ...(await namedAttributes(ctx, r.info)) } },
  };
}

/** Ansible's backup suffix time: local time to the second, readable in a directory listing. */
function backupStamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
