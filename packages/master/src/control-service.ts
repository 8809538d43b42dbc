import type { MessageInitShape } from '@bufbuild/protobuf';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import { toConnectError, toWorkFailed } from '@sloth/client';
import { AsyncQueue, SlothError } from '@sloth/core/internal';
import type {
  ControlService,
  ExecCommandResponseSchema,
  RunTask,
  RunTaskResponseSchema,
  RunTasksResponseSchema,
} from '@sloth/proto';
import type { Store } from '@sloth/store-sqlite';
import type { Fleet } from './fleet.js';
import type { FleetEventSink } from './master-events.js';
import { DEFAULT_METRICS_SAMPLES } from './metrics-history.js';
import { metricsSampleMessage } from './metrics-sample-message.js';
import type { RunReports } from './run-reports.js';
import { type ScheduleRules, scheduleHandlers } from './schedule-service.js';
import { shellHandler } from './shell-service.js';
import {
  agentMetricsSchema,
  execCommandSchema,
  labelAgentSchema,
  nameRequestSchema,
  runTaskSchema,
  runTasksSchema,
  sendEventSchema,
  validate,
  watchWorkSchema,
} from './validation.js';
import type { WorkListener } from './work-tracker.js';

/** ExecCommandResponse and RunTaskResponse have the same shape: output chunks, then a result. */
type WorkReply = MessageInitShape<typeof ExecCommandResponseSchema>;
type TaskReply = MessageInitShape<typeof RunTaskResponseSchema>;
/** One reply of a fan-out (RunTasks, agent control): tagged with its agent. */
export type FanOutReply = MessageInitShape<typeof RunTasksResponseSchema>;

/**
 * ControlService: what the CLI (and grpcurl or `buf curl`) asks the master. Errors carry Connect codes. `store` and
 * `rules`: the schedules of the master's data directory.
 */
export function controlService(
  fleet: Fleet,
  events: FleetEventSink,
  store: Store,
  rules: ScheduleRules | undefined,
  runReports?: RunReports,
): Partial<ServiceImpl<typeof ControlService>> {
  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return fn(...args);
      } catch (err) {
        throw toConnectError(err);
      }
    };
  const schedules = scheduleHandlers(store, rules);
  return {
    addSchedule: guarded(schedules.addSchedule),
    listSchedules: guarded(schedules.listSchedules),
    getSchedule: guarded(schedules.getSchedule),
    removeSchedule: guarded(schedules.removeSchedule),
    setSchedulesEnabled: guarded(schedules.setSchedulesEnabled),
    listAgents: guarded(() => ({ agents: fleet.list(Date.now()) })),
    getAgent: guarded((req: { name: string }) => {
      validate(nameRequestSchema, req, 'GetAgent');
      return { agent: fleet.get(req.name, Date.now()) };
    }),
    deleteAgent: guarded((req: { name: string }) => {
      validate(nameRequestSchema, req, 'DeleteAgent');
      fleet.delete(req.name, Date.now());
      return {};
    }),
    labelAgent: guarded((req: { name: string; set: Record<string, string>; remove: string[] }) => {
      validate(labelAgentSchema, req, 'LabelAgent');
      return { agent: fleet.label(req.name, req.set, req.remove, Date.now()) };
    }),
    stopAgent: guarded((req: { name: string }) => {
      validate(nameRequestSchema, req, 'StopAgent');
      fleet.stop(req.name, Date.now());
      return {};
    }),
    execCommand: async function* (req, ctx) {
      validate(execCommandSchema, req, 'ExecCommand');
      const cmd = { command: req.command, workdir: req.workdir, env: req.env, timeoutMs: req.timeoutMs };
      yield* relayWork<WorkReply>((listener) => fleet.dispatchCommand(req.agent, cmd, listener, Date.now()), fleet, ctx, true);
    },
    runTask: async function* (req, ctx) {
      validate(runTaskSchema, req, 'RunTask');
      const { $typeName: _, workId: __, ...task } = req.task as RunTask;
      yield* relayWork<TaskReply>((listener) => fleet.dispatchTask(req.agent, task, listener, Date.now()), fleet, ctx, true);
    },
    runTasks: async function* (req, ctx) {
      validate(runTasksSchema, req, 'RunTasks');
      const { $typeName: _, workId: __, ...task } = req.task as RunTask;
      yield* relayFanOut(
        req.agents,
        (agent, listener) => fleet.dispatchTask(agent, task, listener, Date.now()),
        fleet,
        ctx.signal,
      );
    },
    watchWork: async function* (req, ctx) {
      validate(watchWorkSchema, req, 'WatchWork');
      yield* relayWork<TaskReply>(
        (listener) => {
          fleet.watchWork(req.workId, listener);
          return req.workId;
        },
        fleet,
        ctx,
        false,
      );
    },
    getAgentMetrics: guarded((req: { name: string; windowMs: bigint; limit: number; masterHost: boolean }) => {
      validate(agentMetricsSchema, req, 'GetAgentMetrics');
      const limit = req.limit || DEFAULT_METRICS_SAMPLES;
      const { samples, policy } = req.masterHost
        ? fleet.masterHostMetrics(Number(req.windowMs), limit, Date.now())
        : fleet.metrics(req.name, Number(req.windowMs), limit, Date.now());
      return {
        samples: samples.map(metricsSampleMessage),
        intervalMs: BigInt(policy.intervalMs),
        retentionMs: BigInt(policy.retentionMs),
      };
    }),
    shell: shellHandler(fleet),
    sendEvent: guarded((req: { type: string; dataJson: string; stack: string }) => {
      validate(sendEventSchema, req, 'SendEvent');
      return { id: events.send(req.type, parseEventData(req.dataJson), req.stack || undefined) };
    }),
    reportRun: guarded((req: unknown) => {
      if (!runReports) throw new SlothError('unsupported', 'this master does not record reported runs');
      runReports.report(req);
      return { keepAliveMs: runReports.keepAliveMs };
    }),
  };
}

/** SendEvent's data: a JSON object, or nothing. */
function parseEventData(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SlothError('invalid_argument', `invalid SendEvent: dataJson is not JSON (${(err as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new SlothError('invalid_argument', 'invalid SendEvent: dataJson must be a JSON object');
  return data as Record<string, unknown>;
}

/**
 * Sends work to an agent (or re-attaches to it) and relays its output as it comes, then its result (ExecCommand,
 * RunTask and WatchWork answer alike); `announce`: first say the work's id, so a caller that loses the master can
 * re-attach. A caller that goes away cancels the work on the agent.
 */
async function* relayWork<R extends WorkReply | TaskReply>(
  dispatch: (listener: WorkListener) => string,
  fleet: Fleet,
  ctx: HandlerContext,
  announce: boolean,
): AsyncIterable<R> {
  const replies = new AsyncQueue<R>();
  let id: string;
  try {
    id = dispatch({
      output: (o) => replies.push({ msg: { case: 'output', value: o } } as R),
      done: (r) => {
        replies.push({ msg: { case: 'result', value: r } } as R);
        replies.close();
      },
      failed: (err) => replies.fail(err),
    });
  } catch (err) {
    throw toConnectError(err);
  }
  let finished = false;
  const onAbort = () => {
    if (!finished) fleet.cancelWork(id, 'the caller went away', Date.now());
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    // The agent cannot have answered yet (its reply needs a turn of the event loop): this comes first.
    if (announce) yield { msg: { case: 'accepted', value: { workId: id } } } as R;
    yield* replies;
    finished = true;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    if (!finished) onAbort();
  }
}

/**
 * RunTasks: sends the work to each agent and relays what each one's work says, tagged with the agent: first its work
 * id (so a caller that loses the master can re-attach to it), then its output and its result, or why it could not
 * run there. Ends when every agent's work has ended; a caller that goes away cancels what still runs.
 */
export async function* relayFanOut(
  agents: string[],
  dispatch: (agent: string, listener: WorkListener) => string,
  fleet: Fleet,
  signal: AbortSignal,
): AsyncIterable<FanOutReply> {
  const replies = new AsyncQueue<FanOutReply>();
  const running = new Map<string, string>();
  // Until every agent has been sent its part, one that finishes early must not end the stream.
  let sent = false;
  const end = (agent: string, reply: FanOutReply) => {
    running.delete(agent);
    replies.push(reply);
    if (running.size === 0 && sent) replies.close();
  };
  for (const agent of agents) {
    try {
      const id = dispatch(agent, {
        output: (o) => replies.push({ agent, msg: { case: 'output', value: o } }),
        done: (r) => end(agent, { agent, msg: { case: 'result', value: r } }),
        failed: (err) => end(agent, { agent, msg: { case: 'failed', value: toWorkFailed(err) } }),
      });
      running.set(agent, id);
      // The agent cannot have answered yet (its reply needs a turn of the event loop): this comes first.
      replies.push({ agent, msg: { case: 'accepted', value: { workId: id } } });
    } catch (err) {
      replies.push({ agent, msg: { case: 'failed', value: toWorkFailed(toConnectError(err)) } });
    }
  }
  sent = true;
  if (running.size === 0) replies.close();
  const cancel = () => {
    for (const id of running.values()) fleet.cancelWork(id, 'the caller went away', Date.now());
  };
  signal.addEventListener('abort', cancel, { once: true });
  try {
    yield* replies;
  } finally {
    signal.removeEventListener('abort', cancel);
    cancel();
  }
}
