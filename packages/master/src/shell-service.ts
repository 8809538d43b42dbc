import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import { toConnectError } from '@sloth/client';
import { AsyncQueue } from '@sloth/core/internal';
import type { ShellRequest, ShellResponseSchema } from '@sloth/proto';
import { peerAddress } from './agent-service.js';
import type { Fleet } from './fleet.js';
import { shellInputSchema, shellResizeSchema, shellStartSchema, validate } from './validation.js';

type ShellReply = MessageInitShape<typeof ShellResponseSchema>;

/**
 * ControlService.Shell: opens a shell on the agent the first message names, then relays both ways until the shell
 * exits (its exit is the last message), the agent's stream ends (an error), or the caller goes away (the agent kills
 * the shell). The caller's messages are read by a loop of their own, so typing never waits for output.
 */
export function shellHandler(fleet: Fleet) {
  return async function* shell(requests: AsyncIterable<ShellRequest>, ctx: HandlerContext): AsyncIterable<ShellReply> {
    const incoming = requests[Symbol.asyncIterator]();
    const first = await incoming.next();
    if (first.done || first.value.msg.case !== 'start')
      throw new ConnectError('invalid Shell: the first message must be a start', Code.InvalidArgument);
    const start = validate(shellStartSchema, first.value.msg.value, 'ShellStart');
    const replies = new AsyncQueue<ShellReply>();
    let id: string;
    try {
      id = fleet.openShell(
        start.agent,
        { size: start.size, term: start.term },
        { client: start.client, peer: ctx.values.get(peerAddress) },
        {
          output: (data) => replies.push({ msg: { case: 'output', value: data } }),
          exit: (exit) => {
            replies.push({ msg: { case: 'exit', value: exit } });
            replies.close();
          },
          failed: (err) => replies.fail(toConnectError(err)),
        },
        Date.now(),
      );
    } catch (err) {
      throw toConnectError(err);
    }
    const close = (reason: string) => fleet.shells.close(id, reason, Date.now());
    const onAbort = () => close('the caller went away');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    void (async () => {
      try {
        for (let r = await incoming.next(); !r.done; r = await incoming.next()) {
          const msg = r.value.msg;
          if (msg.case === 'input') fleet.shells.input(id, validate(shellInputSchema, msg.value, 'Shell input'));
          else if (msg.case === 'resize') fleet.shells.resize(id, validate(shellResizeSchema, msg.value, 'Shell resize'));
          else if (msg.case === 'consumed') fleet.shells.consumed(id, msg.value);
          else throw new ConnectError('invalid Shell: only the first message is a start', Code.InvalidArgument);
        }
      } catch (err) {
        // A broken or invalid request stream ends the session; one that just ended (the call is over) is no news.
        if (!replies.isClosed) replies.fail(toConnectError(err));
      }
    })();
    try {
      yield { msg: { case: 'sessionId', value: id } };
      yield* replies;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      // Ended by anything but the shell's exit (an invalid message, the reply failing): the shell must not stay.
      close('the call ended');
    }
  };
}
