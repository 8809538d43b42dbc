import { randomUUID } from 'node:crypto';
import { SlothError } from '@sloth/core';
import type { ShellExit, ShellUp } from '@sloth/proto';
import { type AgentLink, agentData } from './agent-link.js';
import type { FleetEventSink } from './master-events.js';

/** What the caller of a shell session hears: the terminal's output, then its exit, or why the session broke. */
export interface ShellListener {
  output(data: Uint8Array): void;
  exit(exit: ShellExit): void;
  /** The agent's stream ended before the shell did (the agent kills it then). */
  failed(err: SlothError): void;
}

/** Who opened a session: what the caller says it is (user@host, not verified), and where it called from. */
export interface ShellCaller {
  client: string;
  peer: string;
}

interface ShellSession {
  link: AgentLink;
  listener: ShellListener;
  caller: ShellCaller;
  startedAt: number;
}

/**
 * The open shell sessions (`agent shell`): each ties one caller's Shell call to one agent stream, relays keystrokes
 * down and output up, and records its start and end as events (`agent.shell_started`, `agent.shell_ended`: who,
 * where from, how long, how it ended; never what was typed or printed).
 */
export class ShellRelay {
  private readonly sessions = new Map<string, ShellSession>();

  constructor(private readonly events: FleetEventSink | undefined) {}

  /** Open sessions. */
  get size(): number {
    return this.sessions.size;
  }

  /** Asks the agent of `link` for a shell; returns the session id. */
  open(
    link: AgentLink,
    open: { size: { cols: number; rows: number }; term: string },
    caller: ShellCaller,
    listener: ShellListener,
    now: number,
  ): string {
    const id = randomUUID();
    this.sessions.set(id, { link, listener, caller, startedAt: now });
    link.send({ case: 'shell', value: { sessionId: id, msg: { case: 'open', value: open } } });
    this.events?.emit('agent.shell_started', { agent: agentData(link), session_id: id, ...callerData(caller) });
    return id;
  }

  /** Keystrokes (or piped input) for the shell. */
  input(id: string, data: Uint8Array): void {
    this.sessions.get(id)?.link.send({ case: 'shell', value: { sessionId: id, msg: { case: 'input', value: data } } });
  }

  /** The caller wrote this many more bytes of output (the agent's flow control). */
  consumed(id: string, bytes: number): void {
    this.sessions.get(id)?.link.send({ case: 'shell', value: { sessionId: id, msg: { case: 'consumed', value: bytes } } });
  }

  /** The caller's window changed size. */
  resize(id: string, size: { cols: number; rows: number }): void {
    this.sessions.get(id)?.link.send({ case: 'shell', value: { sessionId: id, msg: { case: 'resize', value: size } } });
  }

  /** The caller went away: the agent kills the shell. Safe to call for a session that has ended. */
  close(id: string, reason: string, now: number): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    s.link.send({ case: 'shell', value: { sessionId: id, msg: { case: 'close', value: reason } } });
    this.ended(id, s, now, { exit_code: null, reason });
  }

  /** A message from the agent of `link` about one of its sessions; one about a session that is over is dropped. */
  fromAgent(link: AgentLink, up: ShellUp, now: number): void {
    const s = this.sessions.get(up.sessionId);
    if (!s || s.link !== link) return;
    const msg = up.msg;
    if (msg.case === 'output') {
      s.listener.output(msg.value);
    } else if (msg.case === 'exit') {
      this.sessions.delete(up.sessionId);
      s.listener.exit(msg.value);
      this.ended(up.sessionId, s, now, { exit_code: msg.value.exitCode, reason: msg.value.error || 'the shell exited' });
    }
  }

  /** The stream of `link` ended: its sessions end with it (the agent kills their shells when it sees the stream go). */
  linkGone(link: AgentLink, why: string, now: number): void {
    for (const [id, s] of this.sessions) {
      if (s.link !== link) continue;
      this.sessions.delete(id);
      const reason = `the agent's connection to the master ended (${why})`;
      s.listener.failed(
        new SlothError('conflict', `the shell session on ${link.name} ended: ${reason}`, {
          hint: `the shell was killed with it; \`sloth-runner agent get ${link.name}\` shows whether the agent is back`,
        }),
      );
      this.ended(id, s, now, { exit_code: null, reason });
    }
  }

  private ended(id: string, s: ShellSession, now: number, how: { exit_code: number | null; reason: string }): void {
    this.events?.emit('agent.shell_ended', {
      agent: agentData(s.link),
      session_id: id,
      ...callerData(s.caller),
      duration_ms: now - s.startedAt,
      ...how,
    });
  }
}

function callerData(c: ShellCaller): Record<string, string> {
  return { client: c.client, peer: c.peer };
}
