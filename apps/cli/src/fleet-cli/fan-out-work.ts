import { SlothError } from '@sloth/core';
import { fromRpcError, fromWorkFailed, type RunTasksResponse, type WorkResult, workVerdict } from '@sloth/master/client';
import { handOutput, lostMaster, reattach, type WorkFollower } from './follow-work.js';

export interface FanOutWork {
  /** Starts the work on every agent: a RunTasks stream. */
  start: (signal: AbortSignal) => AsyncIterable<Pick<RunTasksResponse, 'agent' | 'msg'>>;
  agents: string[];
  signal: AbortSignal;
  /** How each agent's work is followed (its output, the messages about it), as followWork would. */
  follower: (agent: string) => WorkFollower;
}

interface Slot {
  follower: WorkFollower;
  workId?: string;
  settled: boolean;
  resolve(r: WorkResult | Promise<WorkResult>): void;
  reject(err: unknown): void;
}

/**
 * Runs work on several agents in one RunTasks call and settles one result per agent (in the order of `agents`) as
 * each comes. If the master goes away meanwhile, the work goes on on the agents: each one whose work id was told
 * re-attaches as followWork does; the others fail with the lost connection.
 */
export function fanOutWork(f: FanOutWork): Promise<WorkResult>[] {
  const slots = new Map<string, Slot>();
  const results = f.agents.map(
    (agent) =>
      new Promise<WorkResult>((resolve, reject) => {
        slots.set(agent, { follower: f.follower(agent), settled: false, resolve, reject });
      }),
  );
  const settle = (slot: Slot, how: () => void) => {
    if (slot.settled) return;
    slot.settled = true;
    how();
  };
  void (async () => {
    try {
      for await (const reply of f.start(f.signal)) {
        const slot = slots.get(reply.agent);
        if (!slot || slot.settled) continue;
        const msg = reply.msg;
        if (msg.case === 'accepted') slot.workId = msg.value.workId;
        else if (msg.case === 'output') {
          slot.workId = msg.value.workId;
          handOutput(slot.follower, msg.value);
        } else if (msg.case === 'result') settle(slot, () => slot.resolve(msg.value));
        else if (msg.case === 'failed') {
          const err = fromWorkFailed(msg.value);
          const f = slot.follower;
          settle(slot, () => slot.reject(workVerdict(err) ? f.verdict(err.rawMessage) : fromRpcError(err, f.address, f.https)));
        }
      }
      for (const slot of slots.values()) {
        settle(slot, () =>
          slot.reject(
            new SlothError(
              'unavailable',
              `the master ended the call without a result for ${slot.follower.what} on ${slot.follower.agent}`,
            ),
          ),
        );
      }
    } catch (err) {
      for (const slot of slots.values()) {
        settle(slot, () => {
          try {
            const lost = lostMaster(slot.follower, err, slot.workId);
            if (slot.workId === undefined) slot.reject(lost);
            else slot.resolve(reattach(slot.follower, slot.workId, lost));
          } catch (thrown) {
            slot.reject(thrown);
          }
        });
      }
    }
  })();
  return results;
}
