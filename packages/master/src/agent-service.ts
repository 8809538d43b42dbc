import { createContextKey, type HandlerContext } from '@connectrpc/connect';
import { errorMessage, SlothError } from '@sloth/core';
import type { ConnectRequest } from '@sloth/proto';
import { AgentLink, type ConnectResponseInit } from './agent-link.js';
import type { Fleet } from './fleet.js';

/** host:port of the peer of a call, set by the adapter for every request. */
export const peerAddress = createContextKey<string>('unknown');

/** How long a new stream may take to send its Register. */
const REGISTER_TIMEOUT_MS = 10_000;

/**
 * AgentService.Connect: one bidirectional stream per agent. Messages up are read by a loop of their own while this
 * generator writes the link's queue down, so neither direction waits for the other.
 */
export function agentConnect(fleet: Fleet, log: (level: 'debug' | 'warn', message: string) => void) {
  return async function* connect(
    requests: AsyncIterable<ConnectRequest>,
    ctx: HandlerContext,
  ): AsyncIterable<ConnectResponseInit> {
    const link = new AgentLink(ctx.values.get(peerAddress), Date.now());
    const registerTimer = setTimeout(() => {
      if (link.name === undefined) link.fail(new SlothError('timeout', 'no Register within 10s'));
    }, REGISTER_TIMEOUT_MS);
    const onAbort = () => fleet.disconnect(link, 'the stream was closed');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    void (async () => {
      try {
        for await (const req of requests) fleet.onMessage(link, req, Date.now());
        fleet.disconnect(link, 'the agent closed its stream');
      } catch (err) {
        log('debug', `agent stream from ${link.address}${link.name ? ` (${link.name})` : ''} failed: ${errorMessage(err)}`);
        link.fail(err);
        fleet.disconnect(link, errorMessage(err));
      }
    })();
    try {
      yield* link.out;
    } finally {
      clearTimeout(registerTimer);
      ctx.signal.removeEventListener('abort', onAbort);
      fleet.disconnect(link, 'the stream ended');
    }
  };
}
