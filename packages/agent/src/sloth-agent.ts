import { setTimeout as pause } from 'node:timers/promises';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { agentClient, collectSystemInfo, fromRpcError, type MasterTransport, masterTransport } from '@sloth/client';
import { AsyncQueue, abortableSleep, errorMessage, formatDuration, type SlothError } from '@sloth/core/internal';
import type { PreparedSandbox } from '@sloth/lua';
import type { Readiness } from '@sloth/metrics';
import type { AgentEventSchema, ConnectRequestSchema, ConnectResponse } from '@sloth/proto';
import type { ForwardedEvent } from '@sloth/store-sqlite';
import type { AgentMetrics } from './agent-metrics.js';
import type { AgentOptions } from './agent-options.js';
import { AgentOutbox } from './agent-outbox.js';
import { ReconnectSchedule } from './backoff.js';
import { CommandHealthChecks } from './command-health-checks.js';
import { runCommandWork, type WorkOutputInit, type WorkResultInit } from './command-work.js';
import { HealthChecks, HealthReader } from './health-checks.js';
import { LoadedRuns } from './loaded-runs.js';
import { SandboxReserve } from './sandbox-reserve.js';
import { ShellSessions } from './shell-sessions.js';
import { WorkOutputReplay } from './work-output-replay.js';

type UpMessage = MessageInitShape<typeof ConnectRequestSchema>;

/** The agent's current stream to the master. */
interface Session {
  out: AsyncQueue<UpMessage>;
  transport: MasterTransport;
  registered: boolean;
  abort: AbortController;
  /** Settles when the stream is over. */
  ended: Promise<void>;
}

/** How one connection ended: whether it had registered (the backoff starts again if so), and why it failed if it did. */
interface ConnectionEnd {
  registered: boolean;
  error?: SlothError;
}

/** How long stop() waits for running commands to die and their results to be sent. */
const STOP_GRACE_MS = 5000;

/**
 * An agent: dials the master, registers, heartbeats, and runs the work it receives. When the link dies (the stream
 * ends or fails, or HTTP/2 PINGs go unanswered for the missed-heartbeat window) it reconnects with exponential
 * backoff and registers again. Results are kept until the master acknowledges them, and sent again after a
 * reconnection, so work that finished while the master was away is not lost.
 */
export class SlothAgent {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly unacked = new Map<string, WorkResultInit>();
  /** Output of work whose result is not acknowledged yet, sent again after a reconnection. */
  private readonly replay = new WorkOutputReplay();
  /** Events the agent's tasks dispatched, kept on disk until the master acknowledges them. */
  private readonly outbox: AgentOutbox;
  /** The workflow files loaded for delegated tasks, one per run. */
  private readonly runs = new LoadedRuns();
  /** A Lua sandbox made while idle, for the next run's first task. */
  private readonly reserve = new SandboxReserve<PreparedSandbox>();
  /** Interactive shells (`agent shell`): they live only as long as the stream that opened them. */
  private readonly shells: ShellSessions;
  private session: Session | undefined;
  private readonly stopping = new AbortController();
  private everRegistered = false;
  private heartbeatMs: number;
  private stopped: Promise<void> | undefined;
  /** Its families on /metrics, with --metrics-port (see exportMetrics). */
  private metrics: AgentMetrics | undefined;

  /** --health-checks: each heartbeat's readings, and the events they raise. */
  private readonly health: { checks: HealthChecks; reader: HealthReader; commands?: CommandHealthChecks } | undefined;

  constructor(private readonly options: AgentOptions) {
    this.heartbeatMs = options.heartbeatIntervalMs || 5000;
    this.outbox = new AgentOutbox(options.dataDir, (e) => this.send({ case: 'event', value: agentEvent(e) }));
    if (options.healthChecks) {
      // Through the outbox, as the events of tasks: kept until the master has them, into its queue for its hooks.
      const events = this.outbox.sink({});
      this.health = {
        checks: new HealthChecks(options.healthChecks, (type, data) => {
          try {
            events.dispatch(type, { agent: options.name, ...data });
            options.log(
              'warn',
              `health check: ${type} (${data.check} ${data.value_percent}%, threshold ${data.threshold_percent}%)`,
            );
          } catch (err) {
            options.log('error', `could not record ${type}: ${errorMessage(err)}`);
          }
        }),
        reader: new HealthReader(),
      };
      const commands = options.healthChecks.commands ?? [];
      if (commands.length > 0) {
        this.health.commands = new CommandHealthChecks(commands, options.healthChecks.heartbeats, (type, data) => {
          try {
            events.dispatch(type, { agent: options.name, ...data });
            options.log('warn', `health check: ${type} (${data.check}: exit code ${data.exit_code ?? 'none'})`);
          } catch (err) {
            options.log('error', `could not record ${type}: ${errorMessage(err)}`);
          }
        });
      }
    }
    this.shells = new ShellSessions((up) => this.send({ case: 'shell', value: up }), options.log);
  }

  /** Results not yet acknowledged by the master. */
  get pendingResults(): number {
    return this.unacked.size;
  }

  /** Counts into `metrics` from now on, and gives its gauges their sources (/metrics, --metrics-port). */
  exportMetrics(metrics: AgentMetrics): void {
    metrics.watch({ connected: () => this.session?.registered === true, workInFlight: () => this.running.size });
    this.metrics = metrics;
  }

  /** /readyz: ready while registered with the master. */
  readiness(): Readiness {
    if (this.stopping.signal.aborted) return { ready: false, detail: 'the agent is stopping' };
    if (this.session?.registered) return { ready: true, detail: `registered with the master at ${this.options.master.address}` };
    return {
      ready: false,
      detail: `not registered with the master at ${this.options.master.address} (${this.everRegistered ? 'reconnecting' : 'connecting'})`,
    };
  }

  /** Runs until stop() (or a StopAgent from the master). Throws when the very first connection is refused for good. */
  async run(): Promise<void> {
    const schedule = new ReconnectSchedule({
      initialMs: this.options.reconnectInitialMs,
      maxMs: this.options.reconnectMaxMs,
      jitter: this.options.reconnectJitter,
    });
    while (!this.stopping.signal.aborted) {
      const end = await this.connectOnce();
      if (this.stopping.signal.aborted) break;
      if (end.error) {
        const e = end.error;
        // Before the first registration a refusal is a configuration mistake: say so and stop instead of retrying forever.
        if (!this.everRegistered && (e.code === 'unauthenticated' || e.code === 'conflict' || e.code === 'invalid_argument'))
          throw e;
        this.options.log('warn', `lost connection to the master: ${e.message}`);
      } else {
        this.options.log('warn', 'the master closed the connection');
      }
      const delay = schedule.next(end.registered);
      this.options.log('info', `reconnecting to ${this.options.master.address} in ${formatDuration(delay)}`);
      // Woken early (rejected) by stop(): the loop then ends.
      await abortableSleep(delay, this.stopping.signal).catch(() => {});
    }
    await this.stopped;
  }

  /** Stops: kills running commands, sends their results if still connected, closes the link. */
  stop(reason = 'stopping'): Promise<void> {
    this.stopped ??= this.shutdown(reason);
    return this.stopped;
  }

  private async shutdown(reason: string): Promise<void> {
    this.options.log('info', `agent ${this.options.name} ${reason}`);
    this.stopping.abort();
    this.health?.commands?.close();
    for (const w of this.running.values()) w.abort.abort();
    await Promise.race([
      Promise.all([...[...this.running.values()].map((w) => w.done), this.shells.closeAll('the agent is stopping')]),
      pause(STOP_GRACE_MS, undefined, { ref: false }),
    ]);
    await this.runs.closeAll();
    await this.reserve.close();
    const s = this.session;
    if (!s) {
      this.outbox.close();
      return;
    }
    if (s.registered) {
      // Half-close: the master reads the last results, then ends the stream; cut it only if that takes too long.
      s.out.close();
      await Promise.race([s.ended, pause(STOP_GRACE_MS, undefined, { ref: false })]);
    }
    s.abort.abort();
    s.transport.close();
    this.outbox.close();
  }

  /** One connection: register, heartbeat, serve, until the stream ends or fails (the failure is returned, not thrown). */
  private async connectOnce(): Promise<ConnectionEnd> {
    const { options } = this;
    const transport = masterTransport(options.master, {
      pingIntervalMs: this.heartbeatMs,
      pingTimeoutMs: this.heartbeatMs * Math.max(1, options.missedHeartbeats - 1),
    });
    let markEnded = () => {};
    const ended = new Promise<void>((resolve) => {
      markEnded = resolve;
    });
    const session: Session = {
      out: new AsyncQueue<UpMessage>(),
      transport,
      registered: false,
      abort: new AbortController(),
      ended,
    };
    this.session = session;
    const connectTimer = setTimeout(
      () =>
        session.abort.abort(
          new ConnectError(`no answer from the master within ${formatDuration(options.connectTimeoutMs)}`, Code.Unavailable),
        ),
      options.connectTimeoutMs,
    );
    let heartbeat: NodeJS.Timeout | undefined;
    try {
      session.out.push({
        msg: {
          case: 'register',
          value: {
            name: options.name,
            version: options.version,
            labels: options.labels,
            system: await collectSystemInfo(options.diskPath),
            pendingResultIds: [...this.unacked.keys()],
            runningWorkIds: [...this.running.keys()],
          },
        },
      });
      const replies = agentClient(transport.transport).connect(session.out, { signal: session.abort.signal });
      for await (const res of replies) {
        if (res.msg.case === 'registered') {
          clearTimeout(connectTimer);
          session.registered = true;
          this.everRegistered = true;
          this.metrics?.registrations.inc();
          if (!options.heartbeatIntervalMs && res.msg.value.heartbeatIntervalMs > 0)
            this.heartbeatMs = res.msg.value.heartbeatIntervalMs;
          options.log('info', `registered with the master at ${transport.baseUrl} as ${options.name}`);
          options.onRegistered?.();
          // Events first: a task's events then reach the master before its result, as they did when it ran.
          for (const e of this.undeliveredEvents()) session.out.push({ msg: { case: 'event', value: agentEvent(e) } });
          // Output before results, as it was produced; the caller skips what it already printed.
          for (const o of this.replay.all()) session.out.push({ msg: { case: 'output', value: o } });
          for (const r of this.unacked.values()) session.out.push({ msg: { case: 'result', value: r } });
          void this.sendHeartbeat(session);
          heartbeat = setInterval(() => void this.sendHeartbeat(session), this.heartbeatMs);
        } else {
          this.handle(res);
        }
      }
      return { registered: session.registered };
    } catch (err) {
      const reason = session.abort.signal.reason;
      const cause = reason instanceof ConnectError ? reason : err;
      // Read here, not by the caller: the session is forgotten below, and whether it registered decides the backoff.
      return {
        registered: session.registered,
        error: fromRpcError(cause, options.master.address, transport.baseUrl.startsWith('https:')),
      };
    } finally {
      clearTimeout(connectTimer);
      clearInterval(heartbeat);
      // The master forgot this stream's shell sessions with it: nobody could type into them or see them end.
      void this.shells.closeAll('the connection to the master was lost');
      markEnded();
      session.out.close();
      transport.close();
      if (this.session === session) this.session = undefined;
    }
  }

  private handle(res: ConnectResponse): void {
    const msg = res.msg;
    switch (msg.case) {
      case 'runCommand': {
        const cmd = msg.value;
        // Logged as "a command", not its text: a command line may hold a secret.
        this.startWork(cmd.workId, 'a command', (signal, onOutput) => runCommandWork(cmd, signal, onOutput), 'command', true);
        return;
      }
      case 'runTask': {
        const task = msg.value;
        const events = this.outbox.sink({ stack: task.stack || undefined, runId: task.runId || undefined });
        this.startWork(
          task.workId,
          `task ${task.task} of ${task.workflow || task.entryFile}`,
          async (signal, onOutput) => {
            // The Lua engine is loaded with the first task, so an idle agent stays small.
            const { runTaskWork } = await import('./task-work.js');
            return runTaskWork(task, this.options.name, { events }, this.runs, signal, onOutput, this.reserve);
          },
          'task',
        );
        return;
      }
      case 'cancel':
        this.running.get(msg.value.workId)?.abort.abort();
        return;
      case 'resultAck':
        this.unacked.delete(msg.value.workId);
        this.replay.forget(msg.value.workId);
        return;
      case 'eventAck':
        this.outbox.acknowledged(msg.value.ids);
        return;
      case 'shell':
        this.shells.handle(msg.value);
        return;
      case 'stop':
        void this.stop(`stopped by the master (${msg.value.reason || 'no reason given'})`);
        return;
      default:
        this.options.log('debug', `ignored a message from the master: ${msg.case ?? 'empty'}`);
    }
  }

  /** Runs a piece of work (once: a resent one is ignored) and keeps its result until the master acknowledges it. */
  private startWork(
    id: string,
    what: string,
    run: (signal: AbortSignal, onOutput: (o: WorkOutputInit) => void) => Promise<WorkResultInit>,
    kind: 'command' | 'task',
    exitCodeIsResult = false,
  ): void {
    if (this.running.has(id) || this.unacked.has(id)) return;
    const abort = new AbortController();
    // Per piece of work only with --debug: a fan-out of many small tasks would fill the journal (the master records
    // every piece in agent_work), and each line is a write the agent waits for.
    this.options.log('debug', `running work ${id}: ${what}`);
    this.reserve.busy();
    const done = run(abort.signal, (o) => this.send({ case: 'output', value: this.replay.add(o) })).then((result) => {
      this.running.delete(id);
      if (this.running.size === 0) this.reserve.idle();
      this.unacked.set(id, result);
      this.metrics?.workEnded(kind, result.success === true, result.durationMs ?? 0);
      this.send({ case: 'result', value: result });
      this.options.log('debug', `work ${id} finished: ${result.error || 'ok'}`);
      // A command that ran and exited non-zero answered its caller (`test -f`, `systemctl is-active`): not a failure
      // of the agent's. One that could not start, timed out, or a task that failed is worth a line without --debug.
      const ranToItsExit = exitCodeIsResult && (result.exitCode ?? 0) > 0 && result.error === `exit code ${result.exitCode}`;
      if (!result.success && !ranToItsExit) this.options.log('info', `work ${id} (${what}) failed: ${result.error}`);
    });
    this.running.set(id, { abort, done });
  }

  /** Sends up the current stream if it is registered; otherwise drops (results stay in `unacked` for the next one). */
  private send(msg: NonNullable<UpMessage['msg']>): void {
    const s = this.session;
    if (s?.registered) s.out.push({ msg });
  }

  /** The outbox's events; a store that cannot be read is logged, not fatal (its events are sent after a restart). */
  private undeliveredEvents(): ForwardedEvent[] {
    try {
      return this.outbox.pending();
    } catch (err) {
      this.options.log('error', `cannot read the event outbox: ${errorMessage(err)}`);
      return [];
    }
  }

  private async sendHeartbeat(session: Session): Promise<void> {
    try {
      const system = await collectSystemInfo(this.options.diskPath);
      session.out.push({ msg: { case: 'heartbeat', value: { system, runningWork: this.running.size } } });
      this.metrics?.heartbeats.inc();
      this.health?.checks.observe(this.health.reader.read(system));
      void this.health?.commands?.tick();
    } catch (err) {
      this.options.log('debug', `heartbeat skipped: ${errorMessage(err)}`);
    }
  }
}

/** An outbox event as it travels up the stream. */
function agentEvent(e: ForwardedEvent): MessageInitShape<typeof AgentEventSchema> {
  return {
    id: e.id,
    type: e.type,
    dataJson: e.data,
    createdAtMs: BigInt(e.createdAt),
    stack: e.stack ?? '',
    runId: e.runId ?? '',
  };
}
