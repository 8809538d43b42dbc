import { abortableSleep, arg, defineModule, type FunctionSpec, fn, luaSideFunction, SlothError, z } from '@sloth/core/internal';
import { GOROUTINE_LUA } from './goroutine.lua.js';
import { as, hostOf, poolSize, timeoutMs } from './host-access.js';

/** An argument checked on the Lua side (where the messages name the user's line); required in signatures. */
const given = () => z.unknown().refine((v) => v !== undefined && v !== null, 'required');

const fnArg = arg('fn', given(), 'a Lua function; its upvalues are copied to the goroutine (see the module doc)');
const argsArg = arg('args', z.unknown(), 'more arguments are passed to fn (copied like upvalues)');
const timeoutArg = arg('timeout', z.union([z.number(), z.string()]).optional(), 'seconds, or a duration like "500ms"');
const poolArg = arg('name', z.string().min(1), 'the pool name');

const RESULT =
  "{ success: boolean, values: list of fn's return values (with n), value: values[1], error: string|nil, traceback: string|nil }";

/** A function implemented by the module's Lua side (`M._lua`). */
const inLua = (name: string, spec: Omit<FunctionSpec, 'run' | 'lua'>) => luaSideFunction('goroutine', name, spec);

const async = inLua('async', {
  doc:
    'Runs fn(args...) on a worker thread, in parallel with the task, and returns a handle at once. Errors in fn do not ' +
    'raise here: await the handle to get them.',
  args: [fnArg, argsArg],
  returns: 'handle',
  examples: ['local h = goroutine.async(function() return "done" end)\nlocal ok, value = goroutine.await(h)'],
});

const create = inLua('create', {
  doc: 'The same as goroutine.async: starts fn on a worker thread and returns its handle.',
  args: [fnArg, argsArg],
  returns: 'handle',
  examples: ['local g = goroutine.create(function() return "Result" end)\nlocal results = goroutine.wait_all({ g }, 10)'],
});

const awaitFn = inLua('await', {
  doc:
    'Waits for one goroutine and returns true and its return values, or false and its error message. After `timeout` ' +
    'the goroutine is stopped and the result is false, "timed out after ...".',
  args: [arg('handle', given(), 'what goroutine.async returned'), timeoutArg],
  returns: 'boolean, ...: true, values... or false, error',
  examples: ['local ok, name, host = goroutine.await(handle, 30)\nif not ok then error(name) end'],
});

const awaitAll = inLua('await_all', {
  doc:
    'Waits for a list of goroutines and returns one result table per handle, in order. A failed goroutine does not ' +
    'raise: its result has success = false, the error and the Lua traceback.',
  args: [arg('handles', given(), 'a list of handles'), timeoutArg],
  returns: `list of ${RESULT}`,
  examples: [
    'local results = goroutine.await_all({ h1, h2 })\nfor i, r in ipairs(results) do log.info(i .. ": " .. tostring(r.success)) end',
  ],
});

const waitAll = inLua('wait_all', {
  doc: 'The same as goroutine.await_all (results have `value`, the first return value).',
  args: [arg('handles', given(), 'a list of handles'), timeoutArg],
  returns: `list of ${RESULT}`,
  examples: ['local results = goroutine.wait_all(goroutines, 10)\nlog.info(results[1].value)'],
});

const spawn = inLua('spawn', {
  doc:
    "Fire and forget: runs fn on a worker thread and returns nothing. Its errors are logged in the task's log. At the end " +
    'of the run, spawned goroutines still running get 10 seconds to finish, then they are stopped.',
  args: [fnArg, argsArg],
  returns: 'nothing',
  examples: ['goroutine.spawn(function() log.info("cleaning up in the background") end)'],
});

const map = inLua('map', {
  doc:
    'Calls fn(item, index) for every item of the list in goroutines, at most `concurrency` at once (default: all, ' +
    'bounded by the threads), and returns the list of their first return values in order. Raises "goroutine.map: ' +
    'item 3 failed: ..." if any call failed.',
  args: [
    arg('list', given(), 'a list of values (copied to the goroutines)'),
    fnArg,
    arg('opts', z.unknown(), '{ concurrency = n }'),
  ],
  returns: 'list',
  examples: ['local sizes = goroutine.map(files, function(path) return #fs.read(path) end, { concurrency = 4 })'],
});

const timeout = inLua('timeout', {
  doc: 'Runs fn(args...) in a goroutine and waits at most `ms` milliseconds for it: like await, with a deadline.',
  args: [arg('ms', given(), 'milliseconds'), fnArg, argsArg],
  returns: 'boolean, ...: true, values... or false, error ("timed out after ...")',
  examples: ['local ok, out = goroutine.timeout(5000, function() return exec.run("slow-check").stdout end)'],
});

const sleep = fn({
  doc: 'Sleeps `ms` milliseconds without blocking other tasks or goroutines. Works everywhere, also inside goroutines.',
  args: [arg('ms', z.number().nonnegative(), 'milliseconds')],
  returns: 'nothing',
  examples: ['goroutine.sleep(500)'],
  run: ([ms], ctx) => abortableSleep(ms, ctx.signal),
});

const poolCreate = inLua('pool_create', {
  doc:
    'Creates a named pool that runs at most `workers` of its goroutines at once (the rest wait in its queue). Pools ' +
    'live until the end of the run; creating one that exists changes its size.',
  args: [poolArg, arg('opts', z.unknown(), '{ workers = n } (default 4)')],
  returns: 'true',
  examples: ['goroutine.pool_create("workers", { workers = 10 })'],
});

const poolSubmit = inLua('pool_submit', {
  doc: 'Queues fn(args...) in a pool and returns its handle (await it, or collect the pool with pool_wait).',
  args: [poolArg, fnArg, argsArg],
  returns: 'handle',
  examples: ['goroutine.pool_submit("workers", function() return exec.run("make test").success end)'],
});

const poolWait = inLua('pool_wait', {
  doc: 'Waits for the goroutines submitted to a pool since its last pool_wait and returns their results in order.',
  args: [poolArg, timeoutArg],
  returns: `list of ${RESULT}`,
  examples: ['local results = goroutine.pool_wait("workers")'],
});

const poolStats = fn({
  doc: 'How busy a pool is.',
  args: [poolArg],
  returns: '{ workers, active, queued, completed, failed }',
  examples: ['local s = goroutine.pool_stats("workers")\nlog.info(s.active .. " running, " .. s.queued .. " queued")'],
  run: ([name], ctx) => as(ctx.fn, () => hostOf(ctx, ctx.fn).poolStats(name)),
});

const poolClose = fn({
  doc: "Stops a pool's queued and running goroutines and removes the pool (pool_wait first to let them finish).",
  args: [poolArg],
  returns: 'integer: how many goroutines it stopped',
  examples: ['goroutine.pool_wait("workers")\ngoroutine.pool_close("workers")'],
  run: ([name], ctx) => as(ctx.fn, () => hostOf(ctx, ctx.fn).closePool(name)),
});

const waitGroup = inLua('wait_group', {
  doc: 'A group to start goroutines into and wait for together: wg:go(fn, ...), wg:add(handle), wg:wait(timeout?).',
  args: [],
  returns: 'wait group (wg:wait returns results like await_all)',
  examples: [
    'local wg = goroutine.wait_group()\nfor _, s in ipairs(servers) do wg:go(function() return ping(s) end) end\nlocal results = wg:wait("30s")',
  ],
});

const who = arg('who', z.string(), 'the public function calling, for messages');

/** JS primitives of the Lua side; users never see them. */
const internals: Record<string, FunctionSpec> = {
  _lua: fn({
    doc: 'the Lua side',
    args: [],
    returns: 'table',
    run: () => undefined,
    lua: GOROUTINE_LUA,
  }),
  _submit: fn({
    doc: 'queues an encoded call',
    args: [who, arg('code', z.string()), arg('kind', z.enum(['async', 'spawn'])), arg('pool', z.string().optional())],
    returns: 'integer id',
    run: ([caller, code, kind, pool], ctx) => as(caller, () => hostOf(ctx, caller).submit({ code, kind, pool }, ctx)),
  }),
  _wait: fn({
    doc: 'waits for goroutines by id',
    args: [who, arg('ids', z.array(z.number().int())), arg('timeout', z.unknown())],
    returns: 'list of outcomes',
    run: ([caller, ids, t], ctx) => hostOf(ctx, caller).wait(ids, timeoutMs(caller, t), ctx.signal),
  }),
  _pool_create: fn({
    doc: 'creates a pool',
    args: [who, arg('name', z.string().optional()), arg('workers', z.unknown())],
    returns: 'string',
    run: ([caller, name, workers], ctx) => hostOf(ctx, caller).createPool(name, poolSize(caller, workers)),
  }),
  _pool_wait: fn({
    doc: 'waits for a pool',
    args: [who, arg('name', z.unknown()), arg('timeout', z.unknown())],
    returns: 'list of outcomes',
    run: ([caller, name, t], ctx) => {
      if (typeof name !== 'string')
        throw new SlothError('invalid_argument', `${caller}: argument #1 (name): expected a pool name`);
      return as(caller, () => hostOf(ctx, caller).waitPool(name, timeoutMs(caller, t), ctx.signal));
    },
  }),
};

/** The `goroutine` module: parallel work inside a task, on worker threads. */
export const goroutineModule = defineModule({
  name: 'goroutine',
  importFrom: import.meta.url,
  doc:
    'Parallel work inside a task: functions run on worker threads, each with its own Lua engine and every module. ' +
    'A function travels with copies of its upvalues (numbers, strings, booleans, tables, modules, Lua functions); ' +
    'writes to them inside a goroutine do not flow back, so return results instead. Globals of the workflow file ' +
    'are not visible inside a goroutine.',
  functions: {
    async,
    await: awaitFn,
    await_all: awaitAll,
    create,
    wait_all: waitAll,
    spawn,
    map,
    sleep,
    timeout,
    pool_create: poolCreate,
    pool_submit: poolSubmit,
    pool_wait: poolWait,
    pool_stats: poolStats,
    pool_close: poolClose,
    wait_group: waitGroup,
  },
  internals,
});
