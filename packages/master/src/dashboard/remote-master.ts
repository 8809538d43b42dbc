import { Code, ConnectError } from '@connectrpc/connect';
import {
  type ControlClient,
  ControlService,
  createClient,
  fromRpcError,
  type MasterConnection,
  masterTransport,
  toWorkFailed,
} from '@sloth/client';
import { AsyncQueue } from '@sloth/core/internal';
import { MASTER_HOST_SAMPLES } from '@sloth/store-sqlite';
import type { AgentView } from '../agent-view.js';
import type { FanOutReply } from '../control-service.js';
import type { AgentControl } from './agent-control.js';
import type { AgentSample } from './dashboard-service.js';

/** How often the master's agents are asked for again (its heartbeats come every few seconds). */
const POLL_MS = 2000;
/** A call to the master that takes longer than this has failed (the master is then unreachable). */
const CALL_TIMEOUT_MS = 5000;
/** Samples kept per agent: the most a screen asks for (the agent page's). */
const SAMPLES_KEPT = 120;
/** An agent's samples are fetched again while a screen asked for them this recently. */
const SAMPLES_WANTED_MS = 10_000;

/** The master `sloth-runner ui --master` shows: its agents and their samples as last asked, and agent control through it. */
export interface RemoteMaster {
  /** The master's agents as its latest answer listed them. */
  agents(): AgentView[];
  /**
   * An agent's latest `limit` samples, oldest first (fetched on the next poll the first time they are asked for), or
   * the master's own machine's under MASTER_HOST_SAMPLES.
   */
  samples(name: string, limit: number): AgentSample[];
  /** Runs a command on agents through the master, as `agent exec` does on each. */
  control: AgentControl;
  /** Why the master cannot be reached now; undefined while it can. */
  problem(): string | undefined;
  /** Stops asking and closes the connection (what still runs through it is cancelled). */
  close(): void;
}

/**
 * Connects to a master's ControlService and keeps its agents up to date, asking every POLL_MS (the server asks, so the
 * browser still only receives pushes). Fails at once when the first answer is a refusal or never comes: a wrong
 * address or token is told when `ui` starts, not on a screen. A master that goes away later leaves the last agents
 * shown, with the reason on the overview, until it answers again.
 */
export async function connectRemoteMaster(
  conn: MasterConnection,
  log: (level: 'info' | 'warn', message: string) => void,
): Promise<RemoteMaster> {
  const t = masterTransport(conn);
  const https = t.baseUrl.startsWith('https:');
  const client = createClient(ControlService, t.transport);
  let agents: AgentView[] = [];
  let problem: string | undefined;
  const samples = new Map<string, { list: AgentSample[]; wantedAt: number }>();
  const explain = (err: unknown) => fromRpcError(err, conn.address, https);

  const fetchAgents = async () => {
    agents = (await client.listAgents({}, { timeoutMs: CALL_TIMEOUT_MS })).agents;
  };
  const fetchSamples = async (name: string) => {
    const host = name === MASTER_HOST_SAMPLES;
    const req = host ? { masterHost: true, limit: SAMPLES_KEPT } : { name, limit: SAMPLES_KEPT };
    let list: AgentSample[];
    try {
      list = (await client.getAgentMetrics(req, { timeoutMs: CALL_TIMEOUT_MS })).samples;
    } catch (err) {
      // A master older than master_host refuses it: it simply has no row of its own.
      if (host && ConnectError.from(err).code === Code.InvalidArgument) list = [];
      else throw err;
    }
    const entry = samples.get(name);
    if (entry) entry.list = list;
  };
  try {
    await fetchAgents();
  } catch (err) {
    t.close();
    throw explain(err);
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    try {
      await fetchAgents();
      const now = Date.now();
      for (const [name, entry] of samples) {
        if (now - entry.wantedAt > SAMPLES_WANTED_MS) samples.delete(name);
        else await fetchSamples(name);
      }
      if (problem !== undefined) log('info', `the master at ${conn.address} answers again`);
      problem = undefined;
    } catch (err) {
      const why = `the master at ${conn.address} cannot be reached: ${explain(err).message}`;
      if (why !== problem) log('warn', `${why}; its agents are shown as last seen`);
      problem = why;
    } finally {
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    }
  };
  timer = setTimeout(poll, POLL_MS);

  return {
    agents: () => agents,
    samples: (name, limit) => {
      const entry = samples.get(name);
      if (entry) {
        entry.wantedAt = Date.now();
        return entry.list.slice(-limit);
      }
      // Not known to exist: only a listed agent (or the master's own machine) is asked for, so a page cannot make the
      // master look up any name.
      if (name !== MASTER_HOST_SAMPLES && !agents.some((a) => a.name === name)) return [];
      samples.set(name, { list: [], wantedAt: Date.now() });
      fetchSamples(name).catch(() => {
        // The next poll asks again, and says why if the master is gone.
      });
      return [];
    },
    control: (names, cmd, signal) => execThrough(client, names, cmd, signal),
    problem: () => problem,
    close: () => {
      stopped = true;
      clearTimeout(timer);
      t.close();
    },
  };
}

/** Each agent's ExecCommand call, their replies merged as they come and tagged with the agent (RunTasks' shape). */
function execThrough(
  client: ControlClient,
  names: string[],
  cmd: { command: string; timeoutMs: number },
  signal: AbortSignal,
): AsyncIterable<FanOutReply> {
  const replies = new AsyncQueue<FanOutReply>();
  let left = names.length;
  if (left === 0) replies.close();
  for (const agent of names) {
    void (async () => {
      try {
        const req = { agent, command: cmd.command, workdir: '', env: {}, timeoutMs: cmd.timeoutMs };
        for await (const res of client.execCommand(req, { signal })) {
          if (res.msg.case !== undefined) replies.push({ agent, msg: res.msg });
        }
      } catch (err) {
        replies.push({ agent, msg: { case: 'failed', value: toWorkFailed(ConnectError.from(err)) } });
      } finally {
        left -= 1;
        if (left === 0) replies.close();
      }
    })();
  }
  return replies;
}
