import type { MessageInitShape } from '@bufbuild/protobuf';
import { AsyncQueue } from '@sloth/core/internal';
import type { ConnectResponseSchema, SystemInfo } from '@sloth/proto';

export type ConnectResponseInit = MessageInitShape<typeof ConnectResponseSchema>;
export type DownMessage = NonNullable<ConnectResponseInit['msg']>;

/** One open stream from an agent: what it said about itself, when it last spoke, and the queue of messages down to it. */
export class AgentLink {
  readonly out = new AsyncQueue<ConnectResponseInit>();
  /** Set by its Register. */
  name: string | undefined;
  version = '';
  labels: Record<string, string> = {};
  system: SystemInfo | undefined;
  registeredAt = 0;
  runningWork = 0;
  lastSeen: number;
  /** The fleet has forgotten this link (it ended, or another took its name). */
  detached = false;

  constructor(
    readonly address: string,
    now: number,
  ) {
    this.lastSeen = now;
  }

  /** Queues a message down the stream; false when the stream has ended. */
  send(msg: DownMessage): boolean {
    return this.out.push({ msg });
  }

  /** Ends the stream normally (the agent reconnects). */
  end(): void {
    this.out.close();
  }

  /** Ends the stream with an error the agent receives. */
  fail(err: unknown): void {
    this.out.fail(err);
  }
}

/** What an agent.* event says about its agent. */
export function agentData(link: AgentLink): Record<string, unknown> {
  return {
    name: link.name,
    address: link.address,
    version: link.version,
    labels: link.labels,
    hostname: link.system?.hostname ?? '',
  };
}
