import type { MasterConnection } from '@sloth/client';
import { type ModuleSpec, SlothError } from '@sloth/core';
import { processRegistry, type Readiness } from '@sloth/metrics';
import { agentRepo, openStore, type Store } from '@sloth/store-sqlite';
import { agentView } from '../agent-view.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_MISSED_HEARTBEATS, refuseOpenExposure } from '../master-options.js';
import { storeReadiness } from '../store-readiness.js';
import { type DashboardServer, startDashboardServer } from './dashboard-server.js';
import { connectRemoteMaster, type RemoteMaster } from './remote-master.js';

export interface StandaloneDashboardOptions {
  port: number;
  bind: string;
  dataDir: string;
  token: string | undefined;
  insecure: boolean;
  /** PEM certificate chain and key: served over HTTPS. */
  tls?: { cert: string; key: string } | undefined;
  /** A master to show the agents of, live, and to run commands on them through (`ui --master`). */
  master?: MasterConnection | undefined;
  /** The modules a stack's drift check reads resources back with (the CLI gives the built-in ones); none by default. */
  modules?: ModuleSpec[] | undefined;
  log: (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;
}

/** A `sloth-runner ui` server: the dashboard over a data directory, with no master in this process. */
export interface StandaloneDashboard extends DashboardServer {
  /** The data directory's database file. */
  storePath: string;
  /** The address of the master it shows (--master), if any. */
  master: string | undefined;
}

/**
 * Serves the dashboard over a data directory (`sloth-runner ui`): its runs, and the agents its master recorded. With no
 * master in this process, an agent shows Active while the last heartbeat the master wrote down is at most a default
 * master's silence limit old (3 heartbeats of 5 s). Given a master (`--master`), the agents are that master's, live,
 * and agent control goes through it. Refuses to listen beyond loopback without a token unless insecure.
 */
export async function startStandaloneDashboard(options: StandaloneDashboardOptions): Promise<StandaloneDashboard> {
  if (options.token !== undefined && options.token.length < 8)
    throw new SlothError('usage', 'a token must have at least 8 characters', { hint: 'e.g. openssl rand -hex 32 > token' });
  refuseOpenExposure(
    options,
    options.master
      ? `anyone who reaches it could run commands on the agents of the master at ${options.master.address}`
      : 'anyone who reaches it could see your agents and the logs of your runs',
    'the login page asks for it',
  );
  const remote = options.master ? await connectRemoteMaster(options.master, options.log) : undefined;
  let store: Store;
  try {
    store = openStore(options.dataDir);
  } catch (err) {
    remote?.close();
    throw err;
  }
  const silenceLimitMs = DEFAULT_HEARTBEAT_MS * DEFAULT_MISSED_HEARTBEATS;
  const recorded = () => {
    const now = Date.now();
    return agentRepo(store)
      .list()
      .map((a) =>
        agentView(a, {
          active: now - a.lastHeartbeat <= silenceLimitMs,
          lastSeen: a.lastHeartbeat,
          system: undefined,
          runningWork: 0,
        }),
      );
  };
  let server: DashboardServer;
  try {
    server = await startDashboardServer({
      port: options.port,
      bind: options.bind,
      token: options.token,
      tls: options.tls,
      what: 'the dashboard',
      portFlag: '--port',
      sources: remote
        ? {
            store,
            agents: remote.agents,
            samples: remote.samples,
            control: remote.control,
            masterProblem: remote.problem,
            modules: options.modules,
          }
        : { store, agents: recorded, modules: options.modules },
      health: { registries: () => [processRegistry()], ready: () => readiness(store, remote) },
      log: options.log,
    });
  } catch (err) {
    remote?.close();
    store.close();
    throw err;
  }
  return {
    ...server,
    storePath: store.path,
    master: options.master?.address,
    close: async () => {
      remote?.close();
      await server.close();
      store.close();
    },
  };
}

/** Ready when the store answers and, under --master, the master did at its last poll. */
function readiness(store: Store, remote: RemoteMaster | undefined): Readiness {
  const own = storeReadiness(store);
  const problem = remote?.problem();
  return own.ready && problem !== undefined ? { ready: false, detail: problem } : own;
}
