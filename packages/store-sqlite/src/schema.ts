import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Key-value state: any JSON value, optional expiry (ms since epoch), a version for compare-and-swap. */
export const state = sqliteTable(
  'state',
  {
    key: text('key').primaryKey(),
    value: text('value').notNull(),
    expiresAt: integer('expires_at'),
    version: integer('version').notNull().default(1),
    updatedAt: integer('updated_at').notNull(),
  },
  // Partial: only keys with a ttl are in it (all the sweep looks for), so setting a key without one writes no index
  // entry; a full index made every state.set a third slower.
  (t) => [index('state_expires_at').on(t.expiresAt).where(sql`expires_at IS NOT NULL`)],
);

/** Named leases: held by one token until released or until they expire (a dead holder loses them). */
export const locks = sqliteTable('locks', {
  name: text('name').primaryKey(),
  token: text('token').notNull(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  acquiredAt: integer('acquired_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

export const stacks = sqliteTable('stacks', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  description: text('description'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Resources a stack manages, identified by (type, name) within the stack. */
export const resources = sqliteTable(
  'resources',
  {
    id: text('id').primaryKey(),
    stackId: text('stack_id')
      .notNull()
      .references(() => stacks.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    name: text('name').notNull(),
    module: text('module'),
    properties: text('properties').notNull(),
    propertiesHash: text('properties_hash').notNull(),
    dependencies: text('dependencies').notNull().default('[]'),
    /** What update_resource recorded (e.g. { state = "applied" }), JSON. */
    attributes: text('attributes').notNull().default('{}'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** The execution that last registered it: resources not registered by the latest run are orphans. */
    lastExecutionId: text('last_execution_id'),
  },
  (t) => [uniqueIndex('resources_stack_type_name').on(t.stackId, t.type, t.name)],
);

export const outputs = sqliteTable(
  'outputs',
  {
    stackId: text('stack_id')
      .notNull()
      .references(() => stacks.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.stackId, t.key] })],
);

/** One run of a workflow against a stack. */
export const executions = sqliteTable(
  'executions',
  {
    id: text('id').primaryKey(),
    stackId: text('stack_id')
      .notNull()
      .references(() => stacks.id, { onDelete: 'cascade' }),
    workflow: text('workflow').notNull(),
    /** running | success | failed | aborted | timeout | interrupted (its process died while running) */
    status: text('status').notNull(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
    /** JSON: { total, success, failed, skipped, ... } */
    taskCounts: text('task_counts').notNull().default('{}'),
    outputs: text('outputs').notNull().default('{}'),
    error: text('error'),
  },
  (t) => [index('executions_stack_started').on(t.stackId, t.startedAt)],
);

/** Each resource change, checkpointed when it happens so a killed run leaves it recorded. */
export const resourceChanges = sqliteTable(
  'resource_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    executionId: text('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    name: text('name').notNull(),
    /** created | changed | unchanged | deleted */
    action: text('action').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('resource_changes_execution').on(t.executionId)],
);

/**
 * The event queue: every event is written here before dispatch returns, then claimed by a processor.
 * status: pending -> processing (leased by one processor) -> completed | failed; a failed hook with attempts left
 * puts the event back to pending until available_at (its back-off).
 */
export const events = sqliteTable(
  'events',
  {
    /** Sortable unique id (time first), given to hooks so they can be idempotent. */
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    /** "cli", "workflow:<name>", "hook:<name>", "master", "agent:<name>", "api". */
    source: text('source').notNull(),
    stack: text('stack'),
    runId: text('run_id'),
    data: text('data').notNull().default('{}'),
    /** How many hook dispatches led to it: 0 from a workflow, the master or the API, one more than the event a hook handled. */
    depth: integer('depth').notNull().default(0),
    status: text('status').notNull(),
    /** How many times a processor claimed it. */
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    /** A pending event is not claimed before this time (retry back-off). */
    availableAt: integer('available_at').notNull(),
    /** The processor holding a processing event: its token, host and pid, and when its lease runs out. */
    leaseOwner: text('lease_owner'),
    leaseHost: text('lease_host'),
    leasePid: integer('lease_pid'),
    leaseUntil: integer('lease_until'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    processedAt: integer('processed_at'),
  },
  // Only live events are indexed: a dispatch writes the row and one index entry, and a finished event leaves every
  // index (the queue's speed does not depend on its history). Claims read events_pending in available_at order (a
  // run's own claims filter it by run_id); lease recovery and renewal read events_processing; listing walks the
  // primary key (ids start with their time), newest first, the dashboard's filters by source or run included (an
  // index for them would cost every dispatch); failed events, few, have a partial index of their own, written only
  // when one fails (the overview counts them); cleanup, which is rare, scans. The table is WITHOUT ROWID (migration
  // 0006; drizzle cannot say so): rows live in the primary key's b-tree instead of a second one.
  (t) => [
    index('events_pending').on(t.availableAt, t.runId).where(sql`status = 'pending'`),
    index('events_processing').on(t.leaseUntil).where(sql`status = 'processing'`),
    index('events_failed').on(t.id).where(sql`status = 'failed'`),
  ],
);

/** Lua hooks: the source is copied at `hook add`, so editing or breaking the file later cannot break a processor. */
export const hooks = sqliteTable('hooks', {
  name: text('name').primaryKey(),
  /** An event type or a pattern with `*` wildcards. */
  eventType: text('event_type').notNull(),
  /** Only events of this stack, when set. */
  stack: text('stack'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  source: text('source').notNull(),
  /** The file it was added from, for messages (file:line) and `hook show`. */
  path: text('path').notNull(),
  timeoutMs: integer('timeout_ms').notNull(),
  maxAttempts: integer('max_attempts').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Every run of a hook for an event: the audit trail of `hook history` and `events show`. */
export const hookExecutions = sqliteTable(
  'hook_executions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    hook: text('hook').notNull(),
    eventId: text('event_id').notNull(),
    attempt: integer('attempt').notNull(),
    success: integer('success', { mode: 'boolean' }).notNull(),
    output: text('output'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    startedAt: integer('started_at').notNull(),
  },
  (t) => [index('hook_executions_event').on(t.eventId), index('hook_executions_hook_started').on(t.hook, t.startedAt)],
);

/** The master's agent registry: every agent that ever registered, until `agent delete`. Whether it is Active is live state of the master. */
export const agents = sqliteTable('agents', {
  name: text('name').primaryKey(),
  /** host:port the agent connected from, as the master saw it. */
  address: text('address').notNull(),
  version: text('version').notNull(),
  /** JSON object of string labels (--labels k=v). */
  labels: text('labels').notNull().default('{}'),
  /**
   * JSON object of labels set on the master (`agent label`): a string sets that label over the agent's own, null
   * removes it. Kept when the agent registers again with its own labels.
   */
  labelOverrides: text('label_overrides').notNull().default('{}'),
  /** JSON: the SystemInfo of the last heartbeat (cpu, memory, disk, load, uptime). */
  system: text('system').notNull().default('{}'),
  registeredAt: integer('registered_at').notNull(),
  lastHeartbeat: integer('last_heartbeat').notNull(),
});

/**
 * Work the master sent to an agent (a command of `agent exec`, later a delegated task), kept so that a result the
 * agent delivers after a reconnection, or after a master restart, is recorded and not lost.
 * status: pending -> success | failed | lost (the agent came back without it, or never came back) | timeout | cancelled
 */
export const agentWork = sqliteTable(
  'agent_work',
  {
    id: text('id').primaryKey(),
    agent: text('agent').notNull(),
    /** command | task */
    kind: text('kind').notNull(),
    /** The command line, or workflow:task. */
    what: text('what').notNull(),
    status: text('status').notNull(),
    exitCode: integer('exit_code'),
    error: text('error'),
    durationMs: integer('duration_ms'),
    /** A task's outputs (JSON object), kept so a caller that re-attaches after a master restart gets them. */
    outputJson: text('output_json'),
    createdAt: integer('created_at').notNull(),
    /** When the master gives up on it (its timeout), if it has one. */
    deadline: integer('deadline'),
    finishedAt: integer('finished_at'),
    /** The end of what it printed (its last WORK_OUTPUT_TAIL characters, secrets masked): the dashboard shows it. */
    output: text('output'),
    /** How many characters of output it printed in all (those before `output` were not kept). */
    outputChars: integer('output_chars').notNull().default(0),
    /** The number of the last output chunk kept: a chunk the agent sends again after a reconnection is kept once. */
    outputSeq: integer('output_seq').notNull().default(0),
  },
  (t) => [index('agent_work_status').on(t.status), index('agent_work_agent').on(t.agent, t.createdAt)],
);

/**
 * The system info of agents' heartbeats over time (`agent metrics`): the master keeps one sample per agent per metrics
 * interval for the metrics retention, so the table holds at most retention / interval rows per agent.
 */
export const agentMetrics = sqliteTable(
  'agent_metrics',
  {
    agent: text('agent').notNull(),
    at: integer('at').notNull(),
    load1: real('load1').notNull(),
    load5: real('load5').notNull(),
    load15: real('load15').notNull(),
    memoryTotal: integer('memory_total').notNull(),
    memoryFree: integer('memory_free').notNull(),
    diskTotal: integer('disk_total').notNull(),
    diskFree: integer('disk_free').notNull(),
    runningWork: integer('running_work').notNull(),
    /** Bytes received and sent since boot over the machine's interfaces but loopback; 0: not reported (older agents). */
    netRx: integer('net_rx').notNull().default(0),
    netTx: integer('net_tx').notNull().default(0),
    /** The machine's CPUs; 0 in samples kept before it was recorded. */
    cpus: integer('cpus').notNull().default(0),
  },
  // The primary key serves `agent metrics NAME` (and the master's own machine, under a name no agent can have); the
  // index serves pruning by age.
  (t) => [primaryKey({ columns: [t.agent, t.at] }), index('agent_metrics_at').on(t.at)],
);

/**
 * An agent's events on their way to its master: written before event.dispatch returns on the agent, sent up the agent
 * stream, and deleted once the master acknowledges them (so a dead link or a dead agent loses none).
 */
export const eventOutbox = sqliteTable('event_outbox', {
  /** The event's id, kept by the master: sending one again after a lost ack stores it once. */
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  data: text('data').notNull(),
  stack: text('stack'),
  runId: text('run_id'),
  createdAt: integer('created_at').notNull(),
});

/**
 * Secrets (`sloth-runner secret set`, `secret.get`): each value encrypted with AES-256-GCM under the data directory's
 * secret key, bound to its name (a row copied under another name does not open). `value` is `v1:` and the base64 of
 * nonce, ciphertext and tag; never the plain text.
 */
export const secrets = sqliteTable('secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * How the secrets' key is made (one row, id 1): `mode` 'key_file' (a random key in a 0600 file next to the database)
 * or 'passphrase' (scrypt of the passphrase with `salt` and `params`), and `check`, a known text encrypted under the
 * key: a wrong passphrase or key file fails to open it, so it is a clear error instead of garbage.
 */
export const secretKey = sqliteTable('secret_key', {
  id: integer('id').primaryKey(),
  mode: text('mode').notNull(),
  salt: text('salt'),
  params: text('params'),
  check: text('check').notNull(),
  createdAt: integer('created_at').notNull(),
});

/**
 * Schedules (`sloth-runner scheduler add`): a workflow file run on a cron expression. `dueAt` is the next firing the
 * expression gives and `fireAt` the time it starts (dueAt plus the jitter drawn for it); a scheduler advances both with
 * a compare-and-swap on fireAt, so a firing is taken by one scheduler even if two ever believed they held the lease.
 */
export const schedules = sqliteTable(
  'schedules',
  {
    name: text('name').primaryKey(),
    /** The expression as given: 5 or 6 cron fields, @hourly/@daily/..., or "@every 30s". */
    cron: text('cron').notNull(),
    timezone: text('timezone'),
    /** Absolute path of the workflow file. */
    file: text('file').notNull(),
    workflow: text('workflow'),
    stack: text('stack'),
    /** JSON: the `workflow run` arguments it passes (--param, -v, --set, --delegate-to...). */
    runArgs: text('run_args').notNull().default('[]'),
    /** skip | allow | queue */
    overlap: text('overlap').notNull(),
    /** none | one */
    catchUp: text('catch_up').notNull(),
    timeoutMs: integer('timeout_ms'),
    jitterMs: integer('jitter_ms').notNull().default(0),
    /** Runs when this schedule's run succeeds (instead of, or as well as, its cron). */
    after: text('after'),
    /** The id of the last run of `after` this schedule reacted to. */
    afterCursor: integer('after_cursor').notNull().default(0),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    dueAt: integer('due_at'),
    fireAt: integer('fire_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  // Partial indexes: a scheduler's tick reads the few schedules that are due, and the few that run after another one.
  (t) => [
    index('schedules_fire_at').on(t.fireAt).where(sql`enabled = 1 AND fire_at IS NOT NULL`),
    index('schedules_after').on(t.after).where(sql`after IS NOT NULL`),
  ],
);

/**
 * Every firing of a schedule: the runs it started (status running -> success | failed | timeout | interrupted), and
 * those it did not (skipped, with the reason; queued until the run before it ends).
 */
export const scheduleRuns = sqliteTable(
  'schedule_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    schedule: text('schedule').notNull(),
    /** cron | catch-up | run-now | after */
    trigger: text('trigger').notNull(),
    status: text('status').notNull(),
    /** The firing time it was for. */
    dueAt: integer('due_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    exitCode: integer('exit_code'),
    /** Why it failed or was skipped (the run's error output, or the reason). */
    error: text('error'),
    /** The stack and the execution the run recorded there (`stack history`), once it reported them. */
    stack: text('stack'),
    executionId: text('execution_id'),
    /** The process running it (host and pid), to mark its run interrupted when it died. */
    host: text('host'),
    pid: integer('pid'),
  },
  (t) => [
    index('schedule_runs_schedule').on(t.schedule, t.id),
    index('schedule_runs_live').on(t.status).where(sql`status IN ('running', 'queued')`),
  ],
);

/**
 * Every workflow run recorded in the data directory (the dashboard's Runs): written by the running process as it goes.
 * status: running -> success | failed | aborted | timeout; a run whose process died while running is read as
 * interrupted (host and pid say whose it was).
 */
export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    workflow: text('workflow').notNull(),
    stack: text('stack'),
    status: text('status').notNull(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
    error: text('error'),
  },
  (t) => [index('runs_started').on(t.startedAt)],
);

/** The tasks of a run, in the workflow's order: pending -> running (retrying) -> success | failed | timeout | skipped | aborted. */
export const runTasks = sqliteTable(
  'run_tasks',
  {
    runId: text('run_id').notNull(),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    changed: integer('changed').notNull().default(0),
    durationMs: integer('duration_ms'),
    error: text('error'),
    /** Where a delegated task ran: agent names joined by ", ". */
    agent: text('agent'),
    /** The tasks it depends on, as a JSON array of names (null for runs recorded before it was kept). */
    deps: text('deps'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.position] })],
);

/** The lines the tasks of a run logged (command output, log.*), secrets masked, numbered from 1 in each run. */
export const runLogs = sqliteTable(
  'run_logs',
  {
    runId: text('run_id').notNull(),
    seq: integer('seq').notNull(),
    at: integer('at').notNull(),
    task: text('task').notNull(),
    agent: text('agent'),
    level: text('level').notNull(),
    stream: text('stream'),
    message: text('message').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

/** Every write action done through the web dashboard: who (its session and address), what, on what, when, how it ended. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    /** ok or failed. */
    result: text('result').notNull(),
    detail: text('detail'),
  },
  (t) => [index('audit_log_at').on(t.at)],
);
