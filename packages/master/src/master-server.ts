import { setMaxListeners } from 'node:events';
import { createSecureServer, createServer, type Http2SecureServer, type Http2Server, type Http2Session } from 'node:http2';
import { Code, ConnectError, type ConnectRouter, createContextValues } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { slothErrorsToConnect } from '@sloth/client';
import { SlothError } from '@sloth/core';
import { listenOn } from '@sloth/core/internal';
import { processRegistry } from '@sloth/metrics';
import { AgentService, ControlService } from '@sloth/proto';
import { agentMetricsRepo, agentRepo, openStore, type Store } from '@sloth/store-sqlite';
import { agentConnect, peerAddress } from './agent-service.js';
import { bearerGate } from './auth.js';
import { controlService } from './control-service.js';
import { fleetControl } from './dashboard/agent-control.js';
import { type DashboardServer, startDashboardServer } from './dashboard/dashboard-server.js';
import { Fleet } from './fleet.js';
import { MasterEvents } from './master-events.js';
import { sampleMasterHost } from './master-host-sampler.js';
import { MasterMetrics } from './master-metrics.js';
import { type MasterOptions, resolveMasterOptions } from './master-options.js';
import { MetricsHistory } from './metrics-history.js';
import { rpcMetrics } from './rpc-metrics.js';
import { RunReports } from './run-reports.js';
import { storeReadiness } from './store-readiness.js';
import { KEEP_FINISHED_WORK_DAYS } from './work-tracker.js';

/** A running master. */
export interface RunningMaster {
  /** http(s)://host:port it listens on (the real port when 0 was asked for). */
  url: string;
  port: number;
  /** http(s)://host:port of the web dashboard, /metrics, /healthz and /readyz, when --dashboard-port was given. */
  dashboardUrl: string | undefined;
  fleet: Fleet;
  store: Store;
  /** Ends agent streams, closes HTTP/2 sessions and the store. */
  close(): Promise<void>;
}

/** Messages smaller than this go uncompressed (see connectNodeAdapter below). */
const COMPRESS_MIN_BYTES = 64 * 1024;

/** Starts a master: the HTTP/2 server (Connect, gRPC and gRPC-web), the agent registry and the sweep of silent agents. */
export async function startMaster(input: Partial<MasterOptions> & Pick<MasterOptions, 'dataDir'>): Promise<RunningMaster> {
  const options = resolveMasterOptions(input);
  const store = openStore(options.dataDir);
  const repo = agentRepo(store);
  const prometheus = new MasterMetrics();
  const events = new MasterEvents(store, {
    prometheus,
    hooks: options.hooks,
    modules: options.modules,
    concurrency: options.eventConcurrency,
    log: options.log,
  });
  const metrics = new MetricsHistory(
    agentMetricsRepo(store),
    { intervalMs: options.metricsIntervalMs, retentionMs: options.metricsRetentionMs },
    options.heartbeatIntervalMs / 2,
  );
  const fleet = new Fleet(repo, { ...options, events, metrics, prometheus });
  prometheus.watch({
    agents: () => fleet.statusCounts(Date.now()),
    workInFlight: () => fleet.work.size,
    eventQueue: () => events.depth(),
  });
  const now = Date.now();
  repo.pruneWork(now - KEEP_FINISHED_WORK_DAYS * 86_400_000);
  const resumed = fleet.work.resume(now);
  if (resumed > 0)
    options.log('info', `${resumed} piece(s) of work were pending when the master stopped: waiting for their agents`);

  const shutdown = new AbortController();
  // Connect links every call to this signal: each agent's long-lived stream holds a listener, a thousand are not a leak.
  setMaxListeners(0, shutdown.signal);
  const runReports = new RunReports(store, options.log, options.reportTimeoutMs);
  const routes = (router: ConnectRouter) => {
    router.service(AgentService, { connect: agentConnect(fleet, options.log) });
    router.service(ControlService, controlService(fleet, events, store, options.schedules, runReports));
  };
  const gate = bearerGate(options.token);
  const handler = connectNodeAdapter({
    routes,
    readMaxBytes: options.readMaxBytes,
    // Connect gzips every response message over 1 KiB by default: for task assignments and results, most a few KiB,
    // that cost the master ~4% of its CPU in a fan-out (and every agent as much again to inflate), to save bytes on
    // links that are mostly a LAN. Only large messages (a workflow's files) are worth it.
    compressMinBytes: COMPRESS_MIN_BYTES,
    shutdownSignal: shutdown.signal,
    // Handlers and the fleet raise SlothErrors: they become Connect errors here, whatever the call.
    // The first is the outermost: the metrics see every call as its client does, refusals of the gate included.
    interceptors: [rpcMetrics(prometheus.rpcCalls, prometheus.rpcSeconds), slothErrorsToConnect, ...(gate ? [gate] : [])],
    contextValues: (req) => createContextValues().set(peerAddress, `${req.socket.remoteAddress}:${req.socket.remotePort}`),
  });
  const tls = options.tlsCert !== undefined && options.tlsKey !== undefined;
  const server: Http2Server | Http2SecureServer = tls
    ? createSecureServer({ cert: options.tlsCert, key: options.tlsKey, allowHTTP1: false }, handler)
    : createServer(handler);
  // Clients keep their HTTP/2 session open for reuse: closing the server waits for them unless they are closed too.
  const sessions = new Set<Http2Session>();
  server.on('session', (s: Http2Session) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => {});
  });

  const { port, urlHost: host } = await listenOn(server, options.port, options.bind, (err) => {
    void events.close().finally(() => store.close());
    return new SlothError(
      'usage',
      `cannot listen on ${options.bind}:${options.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`,
      {
        hint:
          err.code === 'EADDRINUSE' ? 'another master (or program) uses it: stop it or choose --port' : 'check --bind and --port',
        cause: err,
      },
    );
  });
  let dashboard: DashboardServer | undefined;
  if (options.dashboardPort !== undefined) {
    try {
      dashboard = await startDashboardServer({
        port: options.dashboardPort,
        bind: options.bind,
        token: options.token,
        what: 'the master',
        portFlag: '--dashboard-port',
        tls: tls ? { cert: options.tlsCert as string, key: options.tlsKey as string } : undefined,
        sources: { store, agents: () => fleet.list(Date.now()), control: fleetControl(fleet), modules: options.modules },
        health: { registries: () => [processRegistry(), prometheus.registry], ready: () => storeReadiness(store) },
        log: options.log,
      });
    } catch (err) {
      server.close();
      await events.close();
      store.close();
      throw err;
    }
  }
  const stopHostSamples = sampleMasterHost(metrics, options.dataDir, options.log);
  const sweepEvery = Math.max(10, Math.min(1000, Math.floor(options.heartbeatIntervalMs / 2)));
  const sweeper = setInterval(() => {
    try {
      fleet.sweep(Date.now());
    } catch (err) {
      options.log('error', `sweep failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }, sweepEvery);

  let closing: Promise<void> | undefined;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    dashboardUrl: dashboard?.url,
    fleet,
    store,
    close: () => {
      closing ??= (async () => {
        clearInterval(sweeper);
        stopHostSamples();
        await dashboard?.close();
        fleet.shutdown();
        shutdown.abort(new ConnectError('the master is shutting down', Code.Unavailable));
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of sessions) s.close();
        // A peer that never acknowledges the GOAWAY must not keep the master alive.
        const force = setTimeout(() => {
          for (const s of sessions) s.destroy();
        }, 2000);
        await closed;
        clearTimeout(force);
        runReports.close();
        await events.close();
        store.close();
      })();
      return closing;
    },
  };
}
