import {
  arg,
  defineModule,
  fn,
  luaList,
  luaTable,
  type ModuleCallContext,
  mapAwaitable,
  maskDeep,
  type ResourceRecord,
  returnsMany,
  SlothError,
  type StackBinding,
  type StackStore,
  z,
} from '@sloth/core/internal';

/** The run's stack and its store; a clear error when the run has none (e.g. while the file loads). */
function bound(ctx: ModuleCallContext): { stack: StackBinding; repo: StackStore } {
  const stack = ctx.services?.stack;
  const repo = stack ? ctx.services?.stacks : undefined;
  if (!stack || !repo) {
    throw new SlothError('usage', `${ctx.fn}: this run has no stack`, {
      hint: 'call stack functions inside a task of a workflow run with `sloth-runner workflow run NAME -f FILE` (NAME or --stack names the stack), not at the top level of the file',
    });
  }
  return { stack, repo };
}

/**
 * Dispatches stack.resource_created|changed|deleted when the run has an event queue. The data names the resource but
 * leaves its properties out: they may hold values (connection strings, keys) hooks have no business seeing.
 */
function emitChange(ctx: ModuleCallContext, stack: StackBinding, type: string, r: ResourceRecord): void {
  ctx.services?.events?.dispatch(
    type,
    {
      stack: stack.name,
      execution_id: stack.executionId,
      resource: { type: r.type, name: r.name, module: r.module, id: r.id },
      task: ctx.task,
    },
    { stack: stack.name },
  );
}

/** A resource as Lua sees it (snake_case keys). */
function luaResource(r: ResourceRecord): Record<string, unknown> {
  return {
    id: r.id,
    type: r.type,
    name: r.name,
    module: r.module,
    properties: r.properties,
    dependencies: r.dependencies,
    attributes: r.attributes,
    properties_hash: r.propertiesHash,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

const table = luaTable(z.record(z.string(), z.unknown(), { error: 'expected a table of key = value pairs' }));
const name = z.string().min(1, 'expected a non-empty string');
const typeArg = arg('type', name, 'resource type, e.g. "database" or "file"');
const nameArg = arg('name', name, 'resource name, unique within its type in the stack');

const registerResource = fn({
  doc: 'Records that this run manages a resource. Returns "created" (new), "changed" (its properties differ from the last run: compared by a sha256 of their canonical JSON) or "unchanged", and the resource. Checkpointed at once. A secret value (secret.get) in its properties is recorded as ***.',
  args: [
    arg(
      'resource',
      z.object(
        {
          type: name,
          name,
          module: z.string().optional(),
          properties: table.optional(),
          dependencies: luaList(z.array(z.string())).optional(),
        },
        { error: 'expected a table { type = ..., name = ..., properties = {...} }' },
      ),
      '{ type, name, module?, properties?, dependencies? (list of "type:name") }',
    ),
  ],
  returns: 'status ("created" | "changed" | "unchanged"), resource',
  examples: [
    'local status, db = stack.register_resource({ type = "database", name = "pg", module = "terraform", properties = { engine = "postgres" } })',
  ],
  run: ([input], ctx) => {
    const { stack, repo } = bound(ctx);
    return mapAwaitable(repo.registerResource(stack.id, stack.executionId, maskDeep(input)), ({ status, resource }) => {
      if (status !== 'unchanged') emitChange(ctx, stack, `stack.resource_${status}`, resource);
      return returnsMany(status, luaResource(resource));
    });
  },
});

export const stackFunctions = {
  register_resource: registerResource,
  update_resource: fn({
    doc: 'Merges attributes into what the stack records for a registered resource (e.g. { state = "applied" }); returns the resource.',
    args: [typeArg, nameArg, arg('attributes', table, 'key = value pairs to record')],
    returns: 'resource',
    examples: ['stack.update_resource("database", "pg", { state = "applied" })'],
    run: ([type, resourceName, attributes], ctx) => {
      const { stack, repo } = bound(ctx);
      return mapAwaitable(repo.updateResource(stack.id, type, resourceName, maskDeep(attributes)), luaResource);
    },
  }),
  get_resource: fn({
    doc: 'A resource of the stack, or nil when it is not registered.',
    args: [typeArg, nameArg],
    returns: 'resource | nil',
    examples: ['local db = stack.get_resource("database", "pg")\nif db then log.info(db.attributes.state) end'],
    run: ([type, resourceName], ctx) => {
      const { stack, repo } = bound(ctx);
      return mapAwaitable(repo.getResource(stack.id, type, resourceName), (r) => (r ? luaResource(r) : undefined));
    },
  }),
  delete_resource: fn({
    doc: 'Removes a resource from the stack (recorded as deleted by this run); false when it was not there.',
    args: [typeArg, nameArg],
    returns: 'boolean',
    examples: ['stack.delete_resource("file", "old-config")'],
    run: async ([type, resourceName], ctx) => {
      const { stack, repo } = bound(ctx);
      const existing = await repo.getResource(stack.id, type, resourceName);
      const deleted = await repo.deleteResource(stack.id, stack.executionId, type, resourceName);
      if (deleted && existing) emitChange(ctx, stack, 'stack.resource_deleted', existing);
      return deleted;
    },
  }),
  resource_exists: fn({
    doc: 'True when the stack has this resource.',
    args: [typeArg, nameArg],
    returns: 'boolean',
    examples: ['if not stack.resource_exists("database", "pg") then log.info("first deploy") end'],
    run: ([type, resourceName], ctx) => {
      const { stack, repo } = bound(ctx);
      return mapAwaitable(repo.getResource(stack.id, type, resourceName), (r) => r !== undefined);
    },
  }),
  set_output: fn({
    doc: 'Sets a stack output (kept across runs, shown by `stack outputs` and in the run report); a secret value (secret.get) in it is recorded as ***.',
    args: [arg('key', name), arg('value', z.unknown(), 'any value: string, number, boolean or table')],
    returns: 'nothing',
    examples: ['stack.set_output("db_endpoint", "postgres-prod.example.com")'],
    run: ([key, value], ctx) => {
      const { stack, repo } = bound(ctx);
      return repo.setOutput(stack.id, stack.executionId, key, maskDeep(value));
    },
  }),
  get_output: fn({
    doc: 'A stack output (set by this run or an earlier one), or nil.',
    args: [arg('key', name)],
    returns: 'any | nil',
    examples: ['local endpoint = stack.get_output("db_endpoint")'],
    run: ([key], ctx) => {
      const { stack, repo } = bound(ctx);
      return repo.getOutput(stack.id, key);
    },
  }),
  get_name: fn({
    doc: "The stack's name.",
    args: [],
    returns: 'string',
    examples: ['log.info("deploying stack " .. stack.get_name())'],
    run: (_args, ctx) => bound(ctx).stack.name,
  }),
  get_id: fn({
    doc: "The stack's id (a UUID).",
    args: [],
    returns: 'string',
    examples: ['local id = stack.get_id()'],
    run: (_args, ctx) => bound(ctx).stack.id,
  }),
};

/** The `stack` module: the resources, outputs and executions of the run's stack. */
export const stackModule = defineModule({
  name: 'stack',
  importFrom: import.meta.url,
  doc: 'Record the resources a workflow manages in its stack (created / changed / unchanged), and the stack outputs.',
  functions: stackFunctions,
});
