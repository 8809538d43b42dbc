import { randomUUID } from 'node:crypto';
import {
  Agent_Status,
  type ControlClient,
  ControlService,
  createClient,
  fromRpcError,
  type MasterConnection,
  type MasterTransport,
  masterTransport,
} from '@sloth/client';
import {
  type AgentSummary,
  didYouMean,
  isSlothErrorCode,
  type LogLevel,
  type ModuleCallOutcome,
  type ModuleCallRequest,
  type ResourceOutcome,
  type SecretStore,
  SlothError,
  type TaskDelegator,
  type TaskLogger,
  type TaskOutcome,
  type WorkflowSpec,
} from '@sloth/core/internal';
import { delegationBundle, moduleCallPayload, type WorkflowFile } from '@sloth/lua';
import { delegatedSecrets } from './delegated-secrets.js';
import { fanOutWork } from './fan-out-work.js';

const LEVELS = new Set<string>(['debug', 'info', 'warn', 'error']);

/** A task as RunTasks carries it (without its work id, which the master gives each agent's copy). */
type RunTaskInit = NonNullable<Parameters<ControlClient['runTasks']>[0]['task']>;

/** What the run was given: its params and values travel with every task and call, as the agent loads the file too. */
export interface RunInputs {
  params: Record<string, unknown>;
  values: Record<string, unknown>;
}

/** The CLI's link to a master for one run: delegated task bodies and targeted calls go to their agents through it. */
export class MasterDelegator implements TaskDelegator {
  private readonly transport: MasterTransport;
  private readonly client: ControlClient;
  /** Calls with `target` share one load of the workflow file per agent: one run id for all of them. */
  private readonly callRunId = randomUUID();
  private calls = 0;

  constructor(
    private readonly conn: MasterConnection,
    private readonly file: WorkflowFile,
    private readonly workflow: string,
    private readonly inputs: RunInputs,
    /** The stack the run records into: events the task dispatches on its agent carry it. */
    private readonly stack: string,
    /** The secrets of the machine that runs the workflow (opened only for a task whose files name some). */
    private readonly secrets: () => SecretStore | undefined = () => undefined,
  ) {
    this.transport = masterTransport(conn);
    this.client = createClient(ControlService, this.transport.transport);
  }

  /** The master's agents with their labels and load from their last heartbeat. */
  async listAgents(): Promise<AgentSummary[]> {
    let agents: Awaited<ReturnType<ControlClient['listAgents']>>['agents'];
    try {
      agents = (await this.client.listAgents({})).agents;
    } catch (err) {
      throw fromRpcError(err, this.conn.address, this.transport.baseUrl.startsWith('https:'));
    }
    return agents.map((a) => {
      const sys = a.system;
      const cpus = sys?.cpus || 1;
      const total = Number(sys?.memoryTotalBytes ?? 0);
      return {
        name: a.name,
        active: a.status === Agent_Status.ACTIVE,
        labels: { ...a.labels },
        cpuPercent: ((sys?.load1 ?? 0) / cpus) * 100,
        memoryPercent: total > 0 ? (1 - Number(sys?.memoryFreeBytes ?? 0) / total) * 100 : 0,
        runningWork: a.runningWork,
      };
    });
  }

  /**
   * Before anything runs: every agent a task names must be registered and active. Agents chosen by a function are
   * checked by the master when the task starts.
   */
  async check(workflow: WorkflowSpec): Promise<void> {
    const named = workflow.tasks.flatMap((t) => (t.delegateTo ?? []).map((agent) => ({ agent, task: t })));
    if (named.length === 0) return;
    let agents: { name: string; status: Agent_Status }[];
    try {
      agents = (await this.client.listAgents({})).agents;
    } catch (err) {
      throw fromRpcError(err, this.conn.address, this.transport.baseUrl.startsWith('https:'));
    }
    for (const { agent, task } of named) {
      const found = agents.find((a) => a.name === agent);
      if (!found) {
        throw new SlothError(
          'not_found',
          `task '${task.name}' is delegated to '${agent}', which is not an agent of the master at ${this.conn.address}${didYouMean(
            agent,
            agents.map((a) => a.name),
          )}`,
          { location: task.location, hint: '`sloth-runner agent list` shows the registered agents' },
        );
      }
      if (found.status !== Agent_Status.ACTIVE) {
        throw new SlothError('conflict', `task '${task.name}' is delegated to agent '${agent}', which is inactive`, {
          location: task.location,
          hint: `start the agent on its machine (\`sloth-runner agent get ${agent}\` shows when it was last heard of)`,
        });
      }
    }
  }

  /**
   * Runs the task's body on its agents in one call: their log lines come back as they are written, then each one's
   * outcome. If the master goes away meanwhile, the task goes on on the agents and each re-attaches when the master
   * is back (fanOutWork).
   */
  runTasks({ agents, ctx, logFor, timeoutMs }: Parameters<TaskDelegator['runTasks']>[0]): Promise<TaskOutcome>[] {
    const task = this.file.lateTaskPayload(ctx.task).then((lateTaskJson) => {
      const bundle = delegationBundle(this.file);
      return {
        runId: ctx.runId,
        workflow: this.workflow,
        task: ctx.task,
        entryFile: bundle.entryFile,
        files: bundle.files,
        paramsJson: JSON.stringify(ctx.params),
        valuesJson: JSON.stringify(this.inputs.values),
        depsJson: JSON.stringify(ctx.deps),
        timeoutMs: timeoutMs ?? 0,
        stack: this.stack,
        lateTaskJson: lateTaskJson ?? '',
        checkMode: ctx.checkMode,
        dataFiles: bundle.dataFiles,
        secrets: delegatedSecrets(ctx.task, bundle.secretNames, this.secrets),
        pluginModules: bundle.pluginModules,
      };
    });
    const results = this.fanOut(agents, task, ctx.task, ctx.signal, logFor);
    return results.map(async (result) => {
      const r = await result;
      const output = r.outputJson ? (JSON.parse(r.outputJson) as Record<string, unknown>) : undefined;
      const resources = r.resourcesJson ? (JSON.parse(r.resourcesJson) as ResourceOutcome[]) : undefined;
      if (r.success) return { success: true, output, resources };
      const errorCode = isSlothErrorCode(r.errorCode) ? r.errorCode : 'task_failed';
      return { success: false, message: r.error || 'failed', errorCode, output, resources };
    });
  }

  /**
   * Makes one module call on an agent (`pkg.install({ ..., target = "web-01" })`): it travels as a task of its own
   * whose body is the call, with the workflow's files (a `src` it names is there), in the run's check mode. Its log
   * lines go to the calling task's log; a failure there is raised here with the agent's message and code.
   */
  async runCall({ agent, module, fn, args, ctx }: ModuleCallRequest): Promise<ModuleCallOutcome> {
    this.calls += 1;
    const bundle = delegationBundle(this.file);
    const name = `${ctx.task ?? 'top level'}: ${module}.${fn} #${this.calls}`;
    const task: RunTaskInit = {
      runId: this.callRunId,
      workflow: this.workflow,
      task: name,
      entryFile: bundle.entryFile,
      files: bundle.files,
      paramsJson: JSON.stringify(this.inputs.params),
      valuesJson: JSON.stringify(this.inputs.values),
      depsJson: '{}',
      timeoutMs: 0,
      stack: this.stack,
      lateTaskJson: moduleCallPayload({ module, fn, args }),
      checkMode: ctx.checkMode,
      dataFiles: bundle.dataFiles,
      // The agent loads the whole file for the call: its top level may read secrets too.
      secrets: delegatedSecrets(name, bundle.secretNames, this.secrets),
      pluginModules: bundle.pluginModules,
    };
    const log = ctx.log;
    const [result] = this.fanOut([agent], Promise.resolve(task), name, ctx.signal, () => ({
      log: (level, message, fields, stream) => log.log(level, `[${agent}] ${message}`, fields, stream),
    }));
    let r: Awaited<NonNullable<typeof result>>;
    try {
      r = await (result as NonNullable<typeof result>);
    } catch (err) {
      if (!(err instanceof SlothError)) throw err;
      throw new SlothError(err.code, `${ctx.fn}: ${err.message}`, { hint: err.hint, cause: err });
    }
    const resources = r.resourcesJson ? (JSON.parse(r.resourcesJson) as ResourceOutcome[]) : [];
    for (const resource of resources) ctx.reportResource({ ...resource, host: agent });
    if (!r.success) {
      const code = isSlothErrorCode(r.errorCode) ? r.errorCode : 'task_failed';
      // The agent's message without its Lua traceback: that is a frame of the call made there, not a user's line.
      const message = (r.error || `${ctx.fn} failed`).split('\n')[0];
      throw new SlothError(code, `${message} (on ${agent})`);
    }
    const output = r.outputJson ? (JSON.parse(r.outputJson) as { value?: unknown }) : {};
    return { value: output.value };
  }

  /** Starts work on agents in one RunTasks call and follows each (its log lines, re-attaching if the master restarts). */
  private fanOut(
    agents: string[],
    task: Promise<RunTaskInit>,
    what: string,
    signal: AbortSignal,
    logFor: (agent: string) => TaskLogger,
  ) {
    const https = this.transport.baseUrl.startsWith('https:');
    return fanOutWork({
      agents,
      signal,
      start: (s) => this.stream(agents, task, s),
      follower: (agent) => {
        const log = logFor(agent);
        return {
          client: this.client,
          onOutput: (o) => log.log((LEVELS.has(o.level) ? o.level : 'info') as LogLevel, o.text.replace(/\n$/, '')),
          notify: (level, message) => log.log(level, message),
          verdict: (message) =>
            new SlothError('unavailable', `task '${what}' did not finish on ${agent}: ${message}`, {
              hint: `\`sloth-runner agent get ${agent}\` shows whether the agent is back`,
            }),
          what: 'the task',
          agent,
          address: this.conn.address,
          https,
          signal,
        };
      },
    });
  }

  /** The RunTasks stream, once the task's payload is ready. */
  private async *stream(agents: string[], task: Promise<RunTaskInit>, signal: AbortSignal) {
    yield* this.client.runTasks({ agents, task: await task }, { signal });
  }

  /** Closes the HTTP/2 connection to the master. */
  close(): void {
    this.transport.close();
  }
}
