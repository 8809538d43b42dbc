import { didYouMean, type LogLevel, SlothError, type TaskDelegator, type TaskOutcome, type WorkflowSpec } from '@sloth/core';
import { delegationBundle, type WorkflowFile } from '@sloth/lua';
import {
  Agent_Status,
  type ControlClient,
  ControlService,
  createClient,
  fromRpcError,
  type MasterConnection,
  type MasterTransport,
  masterTransport,
} from '@sloth/master/client';
import { followWork } from './follow-work.js';

const LEVELS = new Set<string>(['debug', 'info', 'warn', 'error']);

/** The CLI's link to a master for one run: delegated task bodies go to their agents through it. */
export class MasterDelegator implements TaskDelegator {
  private readonly transport: MasterTransport;
  private readonly client: ControlClient;

  constructor(
    private readonly conn: MasterConnection,
    private readonly file: WorkflowFile,
    private readonly workflow: string,
    private readonly values: Record<string, unknown>,
    /** The stack the run records into: events the task dispatches on its agent carry it. */
    private readonly stack: string,
  ) {
    this.transport = masterTransport(conn);
    this.client = createClient(ControlService, this.transport.transport);
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
   * Runs the task's body on `agent`: its log lines come back as they are written, then its outcome. If the master goes
   * away meanwhile, the task goes on on the agent and this re-attaches when the master is back (followWork).
   */
  async runTask({ agent, ctx, timeoutMs }: Parameters<TaskDelegator['runTask']>[0]): Promise<TaskOutcome> {
    const bundle = delegationBundle(this.file);
    const lateTaskJson = (await this.file.lateTaskPayload(ctx.task)) ?? '';
    const task = {
      runId: ctx.runId,
      workflow: this.workflow,
      task: ctx.task,
      entryFile: bundle.entryFile,
      files: bundle.files,
      paramsJson: JSON.stringify(ctx.params),
      valuesJson: JSON.stringify(this.values),
      depsJson: JSON.stringify(ctx.deps),
      timeoutMs: timeoutMs ?? 0,
      stack: this.stack,
      lateTaskJson,
    };
    const r = await followWork({
      client: this.client,
      start: (signal) => this.client.runTask({ agent, task }, { signal }),
      onOutput: (o) => ctx.log.log((LEVELS.has(o.level) ? o.level : 'info') as LogLevel, o.text.replace(/\n$/, '')),
      notify: (level, message) => ctx.log.log(level, message),
      verdict: (message) =>
        new SlothError('unavailable', `task '${ctx.task}' did not finish on ${agent}: ${message}`, {
          hint: `\`sloth-runner agent get ${agent}\` shows whether the agent is back`,
        }),
      what: 'the task',
      agent,
      address: this.conn.address,
      https: this.transport.baseUrl.startsWith('https:'),
      signal: ctx.signal,
    });
    const output = r.outputJson ? (JSON.parse(r.outputJson) as Record<string, unknown>) : undefined;
    return r.success ? { success: true, output } : { success: false, message: r.error || 'failed', output };
  }

  /** Closes the HTTP/2 connection to the master. */
  close(): void {
    this.transport.close();
  }
}
