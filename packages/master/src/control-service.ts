import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import { AsyncQueue } from '@sloth/core';
import type { ControlService, ExecCommandRequest, ExecCommandResponseSchema } from '@sloth/proto';
import type { Fleet } from './fleet.js';
import { toConnectError } from './rpc-errors.js';
import { execCommandSchema, nameRequestSchema, validate } from './validation.js';

type ExecReply = MessageInitShape<typeof ExecCommandResponseSchema>;

/** ControlService: what the CLI (and grpcurl or `buf curl`) asks the master. Errors carry Connect codes. */
export function controlService(fleet: Fleet): Partial<ServiceImpl<typeof ControlService>> {
  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return fn(...args);
      } catch (err) {
        throw toConnectError(err);
      }
    };
  return {
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
    stopAgent: guarded((req: { name: string }) => {
      validate(nameRequestSchema, req, 'StopAgent');
      fleet.stop(req.name, Date.now());
      return {};
    }),
    execCommand: (req, ctx) => execCommand(fleet, req, ctx),
    // biome-ignore lint/correctness/useYield: it refuses before streaming anything
    runTask: async function* () {
      throw new ConnectError('delegated tasks (RunTask) are not supported by this master yet', Code.Unimplemented);
    },
    sendEvent: () => {
      throw new ConnectError('events (SendEvent) are not supported by this master yet', Code.Unimplemented);
    },
  };
}

/** Sends a command to an agent and relays its output as it comes, then its result (exit code). */
async function* execCommand(fleet: Fleet, req: ExecCommandRequest, ctx: HandlerContext): AsyncIterable<ExecReply> {
  validate(execCommandSchema, req, 'ExecCommand');
  const replies = new AsyncQueue<ExecReply>();
  let id: string;
  try {
    id = fleet.dispatchCommand(
      req.agent,
      { command: req.command, workdir: req.workdir, env: req.env, timeoutMs: req.timeoutMs },
      {
        output: (o) => replies.push({ msg: { case: 'output', value: o } }),
        done: (r) => {
          replies.push({ msg: { case: 'result', value: r } });
          replies.close();
        },
        failed: (err) => replies.fail(err),
      },
      Date.now(),
    );
  } catch (err) {
    throw toConnectError(err);
  }
  let finished = false;
  const onAbort = () => {
    if (!finished) fleet.cancelWork(id, 'the caller went away', Date.now());
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    yield* replies;
    finished = true;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    if (!finished) onAbort();
  }
}
