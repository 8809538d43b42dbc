import {
  arg,
  defineModule,
  type EventSink,
  fn,
  isEventType,
  luaTable,
  type ModuleCallContext,
  SlothError,
  z,
} from '@sloth/core/internal';

/** The run's event queue; a clear error when the caller has none (no data directory). */
function sinkOf(ctx: ModuleCallContext): EventSink {
  const sink = ctx.services?.events;
  if (!sink) {
    throw new SlothError('usage', `${ctx.fn}: this caller has no event queue`, {
      hint: 'dispatch events from a workflow run with `sloth-runner workflow run` or from a hook; they are kept in --data-dir (default $SLOTH_HOME or ~/.sloth-runner)',
    });
  }
  return sink;
}

const data = luaTable(z.record(z.string(), z.unknown(), { error: 'expected a table of key = value pairs' }));
const eventType = z
  .string()
  .refine(isEventType, 'expected an event type like "deploy.started": lowercase words separated by dots');
const customName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a lowercase name like "cache_warmed" (letters, digits, _ and -)');

/** The `event` module: dispatch events that hooks react to. */
export const eventModule = defineModule({
  name: 'event',
  importFrom: import.meta.url,
  doc: 'Dispatch events to the persistent queue; hooks registered with `sloth-runner hook add` react to them.',
  functions: {
    dispatch: fn({
      doc: 'Persists an event of this type with its data (the write is committed before it returns) and returns its id. Hooks whose event_type matches run later, outside the task: never inline, so a slow hook cannot slow the workflow.',
      args: [
        arg('type', eventType, 'category.name, e.g. "deploy.started"'),
        arg('data', data.optional(), 'a table of key = value pairs (JSON-serializable)'),
      ],
      returns: 'string: the event id (sortable, unique)',
      examples: ['local id = event.dispatch("deploy.started", { deploy_id = "deploy-123", version = "v2.0.0" })'],
      run: ([type, payload], ctx) => sinkOf(ctx).dispatch(type, payload ?? {}),
    }),
    dispatch_custom: fn({
      doc: 'Dispatches the event custom.<name> with data { message = message }; returns its id.',
      args: [arg('name', customName, 'the part after "custom."'), arg('message', z.string().optional(), 'a message for hooks')],
      returns: 'string: the event id',
      examples: ['event.dispatch_custom("cache_warmed", "all 12 regions warmed")'],
      run: ([name, message], ctx) => sinkOf(ctx).dispatch(`custom.${name}`, message === undefined ? {} : { message }),
    }),
  },
});
