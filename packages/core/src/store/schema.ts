import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
  (t) => [index('state_expires_at').on(t.expiresAt)],
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
