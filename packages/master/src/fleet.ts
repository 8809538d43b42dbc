import { randomUUID } from 'node:crypto';
import { didYouMean, formatDuration, SlothError } from '@sloth/core';
import type { AgentEvent, ConnectRequest, Register, RunTask } from '@sloth/proto';
import {
  type AgentHeartbeat,
  type AgentMetricsSample,
  type AgentRecord,
  type AgentRepo,
  MASTER_HOST_SAMPLES,
} from '@sloth/store-sqlite';
import { applyLabelChange, effectiveLabels } from './agent-labels.js';
import { type AgentLink, agentData } from './agent-link.js';
import { type AgentView, agentView } from './agent-view.js';
import type { FleetEventSink } from './master-events.js';
import type { MasterMetrics } from './master-metrics.js';
import type { MetricsHistory, MetricsPolicy } from './metrics-history.js';
import { type ShellCaller, type ShellListener, ShellRelay } from './shell-relay.js';
import { systemToJson } from './system-info.js';
import { agentEventSchema, registerSchema, shellUpSchema, validate, workOutputSchema, workResultSchema } from './validation.js';
import { type WorkListener, WorkTracker } from './work-tracker.js';

export interface FleetOptions {
  heartbeatIntervalMs: number;
  missedHeartbeats: number;
  version: string;
  log: (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;
  /** Receives agent.* events and the events agents forward; without it, agents' events are refused. */
  events?: FleetEventSink | undefined;
  /** Keeps the system info of heartbeats over time (`agent metrics`). */
  metrics: MetricsHistory;
  /** The counters exported on /metrics. */
  prometheus?: MasterMetrics | undefined;
}

/**
 * The agents a master knows: the registry in the store, and the live links of connected agents. Status is live:
 * an agent is Active while its stream is open and it spoke within `missedHeartbeats` intervals.
 */
export class Fleet {
  private readonly links = new Map<string, AgentLink>();
  /** Heartbeats not yet written: flushed in one transaction per sweep (a thousand agents cost one write each tick). */
  private readonly beats = new Map<string, AgentHeartbeat>();
  /** Set by shutdown(): streams it ends are not reported as agent.disconnected (the agents come back to the next one). */
  private closing = false;
  readonly work: WorkTracker;
  /** Interactive shell sessions (`agent shell`), each tied to one agent stream. */
  readonly shells: ShellRelay;

  constructor(
    private readonly repo: AgentRepo,
    private readonly options: FleetOptions,
  ) {
    this.work = new WorkTracker(repo, options.log, (kind, end) => options.prometheus?.workEnded(kind, end));
    this.shells = new ShellRelay(options.events);
  }

  /** How long an agent may stay silent before it is Inactive (and its stream is closed). */
  get silenceLimitMs(): number {
    return this.options.heartbeatIntervalMs * this.options.missedHeartbeats;
  }

  /** Handles one message up an agent's stream; throws a SlothError that ends the stream when it is invalid. */
  onMessage(link: AgentLink, req: ConnectRequest, now: number): void {
    link.lastSeen = now;
    const msg = req.msg;
    if (msg.case === 'register') {
      if (link.name !== undefined) throw new SlothError('invalid_argument', 'this stream is already registered');
      this.register(link, msg.value, now);
      return;
    }
    const name = link.name;
    if (name === undefined) throw new SlothError('invalid_argument', 'the first message on the agent stream must be a Register');
    switch (msg.case) {
      case 'heartbeat':
        link.system = msg.value.system;
        link.runningWork = msg.value.runningWork;
        this.beats.set(name, { name, at: now, system: systemToJson(msg.value.system) });
        this.options.metrics.offer(name, now, msg.value.system, msg.value.runningWork);
        this.options.prometheus?.heartbeats.inc();
        return;
      case 'output':
        validate(workOutputSchema, msg.value, 'WorkOutput');
        this.work.output(name, msg.value);
        return;
      case 'result':
        validate(workResultSchema, msg.value, 'WorkResult');
        this.work.result(name, msg.value, now);
        link.send({ case: 'resultAck', value: { workId: msg.value.workId } });
        return;
      case 'event':
        this.receiveEvent(link, name, msg.value);
        return;
      case 'shell':
        validate(shellUpSchema, msg.value, 'ShellUp');
        this.shells.fromAgent(link, msg.value, now);
        return;
      default:
        throw new SlothError('invalid_argument', 'empty message on the agent stream');
    }
  }

  /** The stream of `link` ended (or failed): the agent is no longer connected. Safe to call twice. */
  disconnect(link: AgentLink, why: string): void {
    if (link.detached) return;
    link.detached = true;
    link.end();
    const name = link.name;
    if (name === undefined || this.links.get(name) !== link) return;
    this.links.delete(name);
    this.shells.linkGone(link, why, Date.now());
    this.flushBeats();
    this.work.agentGone(name, link.lastSeen);
    this.options.log('info', `agent ${name} disconnected (${why})`);
    if (!this.closing) this.options.events?.emit('agent.disconnected', { agent: agentData(link), reason: why });
  }

  /** Sends work down an active agent's stream; the listener gets its output and result. Returns the work id. */
  dispatchCommand(
    agent: string,
    cmd: { command: string; workdir: string; env: Record<string, string>; timeoutMs: number },
    listener: WorkListener,
    now: number,
  ): string {
    const link = this.activeLink(agent, now);
    const id = randomUUID();
    this.work.start({ id, agent, kind: 'command', what: cmd.command }, cmd.timeoutMs, listener, now, this.silenceLimitMs);
    link.send({ case: 'runCommand', value: { ...cmd, workId: id } });
    return id;
  }

  /** Sends one task of a workflow down an active agent's stream; the listener gets its log lines and result. */
  dispatchTask(agent: string, task: Omit<RunTask, '$typeName' | 'workId'>, listener: WorkListener, now: number): string {
    const link = this.activeLink(agent, now);
    const id = randomUUID();
    const what = `task ${task.task} of ${task.workflow || task.entryFile}`;
    this.work.start({ id, agent, kind: 'task', what }, task.timeoutMs, listener, now, this.silenceLimitMs);
    link.send({ case: 'runTask', value: { ...task, workId: id } });
    return id;
  }

  /** Opens an interactive shell on an active agent; the listener gets its output and exit. Returns the session id. */
  openShell(
    agent: string,
    open: { size: { cols: number; rows: number }; term: string },
    caller: ShellCaller,
    listener: ShellListener,
    now: number,
  ): string {
    return this.shells.open(this.activeLink(agent, now), open, caller, listener, now);
  }

  /** A caller re-attaches to work sent earlier: see WorkTracker.watch. */
  watchWork(id: string, listener: WorkListener): void {
    this.work.watch(id, listener);
  }

  /** The caller of a piece of work went away: forget it, and tell its agent to stop it. */
  cancelWork(id: string, reason: string, now: number): void {
    const w = this.work.cancel(id, now);
    if (w) this.links.get(w.agent)?.send({ case: 'cancel', value: { workId: id, reason } });
  }

  /** Closes links that stayed silent too long, writes heartbeats, fails work that waited too long. */
  sweep(now: number): void {
    for (const link of this.links.values()) {
      if (now - link.lastSeen > this.silenceLimitMs) {
        this.options.events?.emit('agent.heartbeat_failed', {
          agent: agentData(link),
          silent_ms: now - link.lastSeen,
          missed_heartbeats: this.options.missedHeartbeats,
        });
        link.fail(new SlothError('timeout', `no heartbeat for ${formatDuration(now - link.lastSeen)}`));
        this.disconnect(link, `no heartbeat for ${formatDuration(now - link.lastSeen)}`);
        this.options.log('warn', `agent ${link.name} missed ${this.options.missedHeartbeats} heartbeats: marked inactive`);
      }
    }
    this.flushBeats();
    this.options.metrics.flush(now);
    this.work.flushOutput();
    this.work.sweep(now, this.silenceLimitMs);
  }

  /** Every registered agent with its live status. */
  list(now: number): AgentView[] {
    return this.repo.list().map((a) => this.view(a, now));
  }

  /** One agent; not_found (with a did-you-mean) when it never registered. */
  get(name: string, now: number): AgentView {
    const a = this.repo.get(name);
    if (!a) throw this.unknown(name);
    return this.view(a, now);
  }

  /**
   * Sets and removes labels of a registered agent (connected or not): stored over the labels it registers with, so
   * they hold across its restarts and the master's. Returns the agent as it is now.
   */
  label(name: string, set: Record<string, string>, remove: readonly string[], now: number): AgentView {
    const a = this.repo.get(name);
    if (!a) throw this.unknown(name);
    const overrides = applyLabelChange(a.labelOverrides, set, remove);
    if (!this.repo.setLabelOverrides(name, overrides)) throw this.unknown(name);
    const link = this.links.get(name);
    if (link) link.labels = effectiveLabels(a.labels, overrides);
    this.options.log('info', `agent ${name}: labels ${describeLabelChange(set, remove)}`);
    return this.view({ ...a, labelOverrides: overrides }, now);
  }

  /** Removes an agent from the registry; a connected one must be stopped first. */
  delete(name: string, now: number): void {
    if (this.isActive(name, now)) {
      throw new SlothError('conflict', `agent ${name} is connected: it would register again at once`, {
        hint: `stop it first: sloth-runner agent stop ${name}`,
      });
    }
    this.links.get(name)?.end();
    if (!this.repo.delete(name)) throw this.unknown(name);
    this.options.metrics.forget(name);
  }

  /** An agent's heartbeat samples of the last `windowMs` (0: all kept); not_found when it never registered. */
  metrics(name: string, windowMs: number, limit: number, now: number): { samples: AgentMetricsSample[]; policy: MetricsPolicy } {
    if (!this.repo.get(name)) throw this.unknown(name);
    return { samples: this.options.metrics.samples(name, windowMs, limit, now), policy: this.options.metrics.policy };
  }

  /** The samples the master took of its own machine in the last `windowMs` (0: all kept). */
  masterHostMetrics(windowMs: number, limit: number, now: number): { samples: AgentMetricsSample[]; policy: MetricsPolicy } {
    return {
      samples: this.options.metrics.samples(MASTER_HOST_SAMPLES, windowMs, limit, now),
      policy: this.options.metrics.policy,
    };
  }

  /** Asks a connected agent to exit. */
  stop(name: string, now: number): void {
    this.activeLink(name, now).send({ case: 'stop', value: { reason: 'sloth-runner agent stop' } });
  }

  /** Ends every agent stream (they reconnect to the next master) and writes pending heartbeats. */
  shutdown(): void {
    this.closing = true;
    for (const link of [...this.links.values()]) this.disconnect(link, 'the master is shutting down');
    this.flushBeats();
    this.work.flushOutput();
    this.options.metrics.flush(Date.now());
  }

  /** Registered agents by live status (one count of the registry: no row is read). */
  statusCounts(now: number): { active: number; inactive: number } {
    let active = 0;
    for (const link of this.links.values()) if (now - link.lastSeen <= this.silenceLimitMs) active += 1;
    return { active, inactive: Math.max(0, this.repo.count() - active) };
  }

  /** How many agents are connected. */
  get connected(): number {
    return this.links.size;
  }

  private register(link: AgentLink, reg: Register, now: number): void {
    validate(registerSchema, reg, 'Register');
    const existing = this.links.get(reg.name);
    if (existing && existing !== link) {
      if (now - existing.lastSeen <= this.silenceLimitMs) {
        throw new SlothError(
          'already_exists',
          `an agent named '${reg.name}' is already connected from ${existing.address}: agent names must be unique`,
        );
      }
      // The old stream died without the master noticing: the new connection takes the name over.
      existing.fail(new SlothError('conflict', 'replaced by a newer connection of this agent'));
      this.disconnect(existing, 'replaced by a newer connection');
    }
    link.name = reg.name;
    link.version = reg.version;
    const stored = this.repo.get(reg.name);
    link.labels = effectiveLabels(reg.labels, stored?.labelOverrides ?? {});
    link.system = reg.system;
    link.registeredAt = now;
    this.links.set(reg.name, link);
    this.beats.delete(reg.name);
    const known = stored !== undefined;
    this.repo.register({
      name: reg.name,
      address: link.address,
      version: reg.version,
      labels: { ...reg.labels },
      system: systemToJson(reg.system),
      registeredAt: now,
      lastHeartbeat: now,
    });
    this.work.agentRegistered(reg.name, reg.runningWorkIds, reg.pendingResultIds, now);
    link.send({
      case: 'registered',
      value: { heartbeatIntervalMs: this.options.heartbeatIntervalMs, masterVersion: this.options.version },
    });
    this.options.log('info', `agent ${reg.name} registered from ${link.address} (version ${reg.version || '?'})`);
    const data = { agent: agentData(link) };
    // registered: a name the registry did not know (first time, or after `agent delete`); connected: every registration.
    if (!known) this.options.events?.emit('agent.registered', data);
    this.options.events?.emit('agent.connected', data);
  }

  /**
   * Stores an event the agent forwarded and acknowledges it, so the agent drops it from its outbox. One the store
   * refuses (an agent of another version?) is acknowledged too, with an error in the log: sent again it would be refused
   * again, forever.
   */
  private receiveEvent(link: AgentLink, name: string, event: AgentEvent): void {
    const e = validate(agentEventSchema, event, 'AgentEvent');
    const sink = this.options.events;
    if (!sink) throw new SlothError('conflict', 'this master does not take events from agents');
    try {
      sink.receive(name, [
        {
          id: e.id,
          type: e.type,
          data: e.dataJson,
          stack: e.stack || undefined,
          runId: e.runId || undefined,
          createdAt: Number(event.createdAtMs),
        },
      ]);
    } catch (err) {
      if (!(err instanceof SlothError) || err.code !== 'invalid_argument') throw err;
      this.options.log('error', `agent ${name} sent an invalid event ${e.id} (${e.type}), dropped: ${err.message}`);
    }
    link.send({ case: 'eventAck', value: { ids: [e.id] } });
  }

  private isActive(name: string, now: number): boolean {
    const link = this.links.get(name);
    return link !== undefined && now - link.lastSeen <= this.silenceLimitMs;
  }

  private activeLink(name: string, now: number): AgentLink {
    const link = this.links.get(name);
    if (link && now - link.lastSeen <= this.silenceLimitMs) return link;
    const known = this.repo.get(name);
    if (!known) throw this.unknown(name);
    throw new SlothError(
      'conflict',
      `agent ${name} is inactive: last heard of ${formatDuration(now - known.lastHeartbeat)} ago`,
      {
        hint: `check that the agent runs on its machine and can reach this master; \`sloth-runner agent get ${name}\` shows its details`,
      },
    );
  }

  private unknown(name: string): SlothError {
    return new SlothError(
      'not_found',
      `no agent named '${name}'${didYouMean(
        name,
        this.repo.list().map((a) => a.name),
      )}`,
      {
        hint: '`sloth-runner agent list` shows the registered agents',
      },
    );
  }

  private view(a: AgentRecord, now: number): AgentView {
    const link = this.links.get(a.name);
    return agentView(
      a,
      link && {
        active: now - link.lastSeen <= this.silenceLimitMs,
        lastSeen: link.lastSeen,
        system: link.system,
        runningWork: link.runningWork,
      },
    );
  }

  private flushBeats(): void {
    if (this.beats.size === 0) return;
    const beats = [...this.beats.values()];
    this.beats.clear();
    this.repo.recordHeartbeats(beats);
  }
}

/** `role=web, -tier` for the log. */
function describeLabelChange(set: Record<string, string>, remove: readonly string[]): string {
  return [...Object.entries(set).map(([k, v]) => `${k}=${v}`), ...remove.map((k) => `-${k}`)].join(', ');
}
