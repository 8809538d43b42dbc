import { type FanOutReply, relayFanOut } from '../control-service.js';
import type { Fleet } from '../fleet.js';

/** A command as agent control runs it on each agent. */
export interface ControlCommand {
  command: string;
  /** 0: no limit. */
  timeoutMs: number;
}

/**
 * Runs a command on several agents: each one's replies (its work id, its output, its result, or why it could not run
 * there) as they come. Aborting the signal cancels what still runs.
 */
export type AgentControl = (agents: string[], cmd: ControlCommand, signal: AbortSignal) => AsyncIterable<FanOutReply>;

/** Agent control through the master of this process. */
export function fleetControl(fleet: Fleet): AgentControl {
  return (agents, cmd, signal) =>
    relayFanOut(
      agents,
      (agent, listener) =>
        fleet.dispatchCommand(
          agent,
          { command: cmd.command, workdir: '', env: {}, timeoutMs: cmd.timeoutMs },
          listener,
          Date.now(),
        ),
      fleet,
      signal,
    );
}
