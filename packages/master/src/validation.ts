import { isAbsolute } from 'node:path';
import { isEventType, SlothError } from '@sloth/core/internal';
import { z } from 'zod';
import { MAX_METRICS_SAMPLES } from './metrics-history.js';

/** Agent names: what a host name or a label allows, so they read well in tables and logs. */
export const agentName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit');

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
const labels = z
  .record(z.string(), z.string().max(256, 'label values have at most 256 characters'))
  .refine((l) => Object.keys(l).length <= 64, 'at most 64 labels')
  .refine((l) => Object.keys(l).every((k) => LABEL_KEY.test(k)), 'label keys are 1-63 letters, digits, ".", "_", "/" or "-"');

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;
const workId = z.string().min(1).max(64);
const timeoutMs = z
  .number()
  .int()
  .min(0)
  .max(7 * 86_400_000, 'at most 7 days');

export const registerSchema = z.object({
  name: agentName,
  version: z.string().max(64),
  labels,
  pendingResultIds: z.array(workId).max(10_000),
  runningWorkIds: z.array(workId).max(10_000),
});

export const workOutputSchema = z.object({
  workId,
  text: z.string().max(1024 * 1024, 'an output chunk has at most 1 MiB'),
  level: z.string().max(16),
  seq: z.number().int().nonnegative(),
});

export const workResultSchema = z.object({
  workId,
  error: z.string().max(256 * 1024),
  outputJson: z.string().max(4 * 1024 * 1024),
});

/** Text that becomes part of a process's command line or environment: the OS cuts it at a NUL byte, Node refuses it. */
const noNul = (s: string) => !s.includes('\0');
const NUL = 'contains a NUL byte, which no command line can hold';

export const execCommandSchema = z.object({
  agent: agentName,
  command: z
    .string()
    .min(1, 'is empty')
    .max(64 * 1024, 'has more than 64 KiB')
    .refine(noNul, NUL),
  workdir: z.string().max(4096).refine(noNul, NUL),
  env: z
    .record(
      z.string(),
      z
        .string()
        .max(32 * 1024)
        .refine(noNul, NUL),
    )
    .refine((e) => Object.keys(e).length <= 256, 'at most 256 environment variables')
    .superRefine((e, ctx) => {
      const bad = Object.keys(e).find((k) => !ENV_NAME.test(k));
      if (bad !== undefined)
        ctx.addIssue({ code: 'custom', message: `environment names are letters, digits and _ (not '${bad}')` });
    }),
  timeoutMs,
});

const MAX_TASK_FILES_BYTES = 3 * 1024 * 1024;
const MAX_DATA_FILES_BYTES = 2 * 1024 * 1024;

export const runTaskSchema = z.object({
  agent: agentName,
  task: z.object({
    task: z.string().min(1, 'names no task').max(256),
    workflow: z.string().max(256),
    runId: z.string().max(128),
    entryFile: z.string().min(1, 'is empty').max(4096),
    files: z
      .record(z.string().min(1).max(4096), z.string())
      .refine((f) => Object.keys(f).length <= 1000, 'at most 1000 files')
      .refine(
        (f) => Object.values(f).reduce((n, text) => n + text.length, 0) <= MAX_TASK_FILES_BYTES,
        'the files of a task total at most 3 MiB',
      )
      .refine((f) => Object.keys(f).every((p) => !p.startsWith('/') && !p.split('/').includes('..')), 'paths stay relative'),
    paramsJson: z.string().max(1024 * 1024),
    valuesJson: z.string().max(1024 * 1024),
    depsJson: z.string().max(1024 * 1024),
    timeoutMs,
    lateTaskJson: z.string().max(1024 * 1024, 'a task created at run time has at most 1 MiB of code'),
    checkMode: z.boolean(),
    dataFiles: z
      .record(z.string().min(1).max(4096), z.instanceof(Uint8Array))
      .refine((f) => Object.keys(f).length <= 1000, 'at most 1000 data files')
      .refine(
        (f) => Object.values(f).reduce((n, bytes) => n + bytes.byteLength, 0) <= MAX_DATA_FILES_BYTES,
        'the data files of a task total at most 2 MiB',
      )
      .refine((f) => Object.keys(f).every((p) => !p.startsWith('/') && !p.split('/').includes('..')), 'paths stay relative'),
    secrets: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'secret names are letters, digits, _ . -'),
        z.string().max(64 * 1024),
      )
      .refine((s) => Object.keys(s).length <= 256, 'at most 256 secrets'),
    pluginModules: z
      .array(
        z.object({
          module: z.string().max(128),
          plugin: z.string().max(214),
          functions: z.array(z.string().max(128)).max(1000),
        }),
      )
      .max(1000, 'at most 1000 plugin modules'),
  }),
});

const eventType = z.string().refine(isEventType, 'must be lowercase words separated by dots, e.g. "deploy.started"');
const eventData = z.string().max(256 * 1024 + 2, 'event data has at most 256 KiB of JSON');

export const agentEventSchema = z.object({
  // The agent's outbox id (a ULID): the master stores each once.
  id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an event id (26 characters of Crockford base32)'),
  type: eventType,
  dataJson: eventData,
  stack: z.string().max(256),
  runId: z.string().max(128),
});

export const sendEventSchema = z.object({
  type: eventType,
  dataJson: eventData,
  stack: z.string().max(256),
});

/** ReportRun: a batch of at most 10,000 engine events of one run, each at most 1 MiB of JSON. */
export const reportRunSchema = z.object({
  runId: z.string().min(1).max(128),
  workflow: z.string().min(1).max(256),
  stack: z.string().max(256),
  host: z.string().max(255),
  pid: z.number().int().min(0),
  eventsJson: z.array(z.string().max(1024 * 1024, 'an event has at most 1 MiB of JSON')).max(10_000),
});

/** One reported engine event: the fields every event has; the rest is the recorder's to read. */
export const reportedEventSchema = z.looseObject({
  type: z.enum([
    'workflow.started',
    'task.started',
    'task.log',
    'task.retrying',
    'task.finished',
    'resource.changed',
    'workflow.finished',
  ]),
  runId: z.string(),
  at: z.number(),
});

/** The dashboard's ExecOnAgents: a command for at most 100 distinct agents. */
export const execOnAgentsSchema = z.object({
  agents: z
    .array(agentName)
    .min(1, 'names no agent')
    .max(100, 'names more than 100 agents')
    .refine((a) => new Set(a).size === a.length, 'names an agent twice'),
  command: execCommandSchema.shape.command,
});

export const runTasksSchema = z.object({
  agents: z
    .array(agentName)
    .min(1, 'names no agent')
    .max(1000, 'names more than 1,000 agents')
    .refine((a) => new Set(a).size === a.length, 'names an agent twice'),
  task: runTaskSchema.shape.task,
});

const terminalSize = z.object({
  cols: z.number().int().min(1, 'must be at least 1').max(10_000),
  rows: z.number().int().min(1, 'must be at least 1').max(10_000),
});
/** One message of a shell's bytes (keystrokes, or a pasted or piped chunk). */
const MAX_SHELL_CHUNK = 256 * 1024;

export const shellStartSchema = z.object({
  agent: agentName,
  size: terminalSize,
  term: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9._+-]*$/, 'must be a terminal type such as xterm-256color'),
  client: z.string().max(256),
});

export const shellInputSchema = z.instanceof(Uint8Array).refine((b) => b.length <= MAX_SHELL_CHUNK, 'has at most 256 KiB');

export const shellResizeSchema = terminalSize;

export const shellUpSchema = z.object({
  sessionId: z.string().min(1).max(64),
  msg: z.union([
    z.object({
      case: z.literal('output'),
      value: z.instanceof(Uint8Array).refine((b) => b.length <= 1024 * 1024, 'has at most 1 MiB'),
    }),
    z.object({ case: z.literal('exit'), value: z.object({ exitCode: z.number().int(), error: z.string().max(4096) }) }),
  ]),
});

export const watchWorkSchema = z.object({ workId });

export const nameRequestSchema = z.object({ name: agentName });

export const labelAgentSchema = z
  .object({
    name: agentName,
    set: labels,
    remove: z
      .array(z.string().regex(LABEL_KEY, 'label keys are 1-63 letters, digits, ".", "_", "/" or "-"'))
      .max(64, 'at most 64 labels'),
  })
  .refine((r) => Object.keys(r.set).length + r.remove.length > 0, 'nothing to set or remove')
  .refine((r) => r.remove.every((k) => !(k in r.set)), 'a label is both set and removed');

const metricsWindow = {
  windowMs: z.bigint().min(0n, 'must not be negative'),
  limit: z.number().int().max(MAX_METRICS_SAMPLES, `at most ${MAX_METRICS_SAMPLES}`),
};
/** An agent's samples by name, or the master's own machine's (no name). */
export const agentMetricsSchema = z.discriminatedUnion('masterHost', [
  z.object({ masterHost: z.literal(false), name: agentName, ...metricsWindow }),
  z.object({
    masterHost: z.literal(true),
    name: z.literal('', 'names no agent: master_host asks for the master'),
    ...metricsWindow,
  }),
]);

/** Validates an RPC input; a bad one is answered with invalid_argument naming the field and what was expected. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : 'message';
  throw new SlothError('invalid_argument', `invalid ${what}: ${field} ${issue?.message ?? 'is invalid'}`);
}

/** Schedule names, as `scheduler add` allows them (it says so at length when one is refused). */
const scheduleName = z.string().min(1, 'is empty').max(100, 'has more than 100 characters');
/** A path on the master's machine: relative ones would resolve against wherever the master happens to run. */
const masterPath = z
  .string()
  .min(1, 'is empty')
  .max(4096)
  .refine(noNul, NUL)
  .refine((p) => isAbsolute(p), "must be an absolute path on the master's machine");
const flagText = z.string().max(4096).refine(noNul, NUL);
const flagList = z.array(flagText).max(256, 'at most 256 of them');

export const addScheduleSchema = z.object({
  name: scheduleName,
  cron: z.string().max(256).optional(),
  file: masterPath,
  workflow: z.string().max(256).optional(),
  stack: z.string().max(256).optional(),
  params: flagList,
  values: z.array(masterPath).max(256, 'at most 256 of them'),
  set: flagList,
  timezone: z.string().max(128).optional(),
  delegateTo: flagText.optional(),
  overlap: z.enum(['', 'skip', 'allow', 'queue']),
  catchUp: z.enum(['', 'one', 'none']),
  timeout: z.string().max(64).optional(),
  jitter: z.string().max(64).optional(),
  after: scheduleName.optional(),
  disabled: z.boolean(),
});

export const getScheduleSchema = z.object({ name: scheduleName, runs: z.number().int().min(0).max(10_000) });
export const scheduleNameSchema = z.object({ name: scheduleName });
export const setSchedulesEnabledSchema = z.object({ name: scheduleName.optional(), enabled: z.boolean() });
