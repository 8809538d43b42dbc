import {
  ConnectError,
  type ControlClient,
  fromRpcError,
  type RunTaskResponse,
  type WorkOutput,
  type WorkResult,
  workVerdict,
} from '@sloth/client';
import { abortableSleep, formatDuration, SlothError } from '@sloth/core/internal';

/** How long work whose master went away waits for it to come back before it fails. */
export const REATTACH_WINDOW_MS = 60_000;
const REATTACH_MAX_DELAY_MS = 2000;

/** How one piece of work on an agent is followed, and what to say about it. */
export interface WorkFollower {
  client: ControlClient;
  onOutput: (o: WorkOutput) => void;
  /** Told (as a log line) when the master is lost and when the work is found again. */
  notify: (level: 'warn' | 'info', message: string) => void;
  /** The master's verdict on the work (its agent gone or restarted, past its deadline), as the error to throw. */
  verdict: (message: string) => SlothError;
  /** "the task 'build'", "the command": for messages. */
  what: string;
  agent: string;
  /** The master's address as the user gave it, and whether it is reached over https (for error hints). */
  address: string;
  https: boolean;
  signal: AbortSignal;
}

export interface FollowWork extends WorkFollower {
  /** Starts the work: an ExecCommand or RunTask stream (both answer accepted, output..., result). */
  start: (signal: AbortSignal) => AsyncIterable<Pick<RunTaskResponse, 'msg'>>;
}

/**
 * Runs work on an agent through the master and returns its result, relaying its output. If the master goes away
 * meanwhile, the work goes on on the agent: this waits for the master (up to REATTACH_WINDOW_MS), re-attaches with
 * WatchWork and gets the rest of the output and the result.
 */
export async function followWork(f: FollowWork): Promise<WorkResult> {
  const work: { id?: string } = {};
  try {
    return await relay(f, f.start(f.signal), work);
  } catch (err) {
    const lost = lostMaster(f, err, work.id);
    if (work.id === undefined) throw lost;
    return reattach(f, work.id, lost);
  }
}

/** The master was lost while `workId` ran: waits for it to come back and follows the work again with WatchWork. */
export async function reattach(f: WorkFollower, workId: string, lost: SlothError): Promise<WorkResult> {
  f.notify(
    'warn',
    `lost the master while ${f.what} ran on ${f.agent} (work ${workId}): waiting up to ${formatDuration(REATTACH_WINDOW_MS)} for it to come back`,
  );
  const deadline = Date.now() + REATTACH_WINDOW_MS;
  let last = lost;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    await abortableSleep(Math.min(REATTACH_MAX_DELAY_MS, 250 * 2 ** attempt), f.signal).catch(() => {});
    if (f.signal.aborted) throw last;
    try {
      // Said at the first reply, before the output that follows it.
      const reattached = () => f.notify('info', `re-attached to work ${workId} on ${f.agent}`);
      return await relay(f, f.client.watchWork({ workId }, { signal: f.signal }), { id: workId }, reattached);
    } catch (err) {
      last = lostMaster(f, err, workId);
    }
  }
  throw new SlothError(
    'unavailable',
    `${f.what} ran on ${f.agent} (work ${workId}), but the master at ${f.address} did not come back within ${formatDuration(REATTACH_WINDOW_MS)}`,
    {
      hint: 'the agent keeps its result and the master records it when it is back (`agent_work` in its data directory)',
    },
  );
}

/** Relays one stream: remembers the work id, hands output on, returns the result. */
async function relay(
  f: WorkFollower,
  replies: AsyncIterable<Pick<RunTaskResponse, 'msg'>>,
  work: { id?: string },
  onFirstReply?: () => void,
): Promise<WorkResult> {
  for await (const reply of replies) {
    onFirstReply?.();
    onFirstReply = undefined;
    const msg = reply.msg;
    if (msg.case === 'accepted') work.id = msg.value.workId;
    else if (msg.case === 'output') {
      work.id = msg.value.workId;
      handOutput(f, msg.value);
    } else if (msg.case === 'result') return msg.value;
  }
  throw new SlothError('unavailable', `the master ended the call without a result for ${f.what} on ${f.agent}`);
}

/**
 * The error of a failed call when it is the link to the master that failed and the work may still be followed;
 * throws anything else (a cancellation, the master's verdict on the work, a refusal).
 */
export function lostMaster(f: WorkFollower, err: unknown, workId: string | undefined): SlothError {
  if (f.signal.aborted) throw err;
  if (workVerdict(err) !== undefined) throw f.verdict(ConnectError.from(err).rawMessage);
  const e = fromRpcError(err, f.address, f.https);
  if (e.code !== 'unavailable' || workId === undefined) throw e;
  return e;
}

/** The last output number each follower handed on. */
const lastSeq = new WeakMap<WorkFollower, number>();

/**
 * Hands output on once: the agent sends its recent output again after a reconnection, and what was already handed on
 * is recognised by its number. A gap (output dropped beyond what the agent keeps) is said.
 */
export function handOutput(f: WorkFollower, o: WorkOutput): void {
  const last = lastSeq.get(f) ?? 0;
  if (o.seq > 0) {
    if (o.seq <= last) return;
    if (o.seq > last + 1)
      f.notify('warn', `${o.seq - last - 1} lines of output of ${f.what} on ${f.agent} were lost while the master was away`);
    lastSeq.set(f, o.seq);
  }
  f.onOutput(o);
}
