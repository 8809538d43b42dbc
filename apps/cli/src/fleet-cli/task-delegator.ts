import { didYouMean, type LogLevel, SlothError, type TaskDelegator, type TaskOutcome, type WorkflowSpec } from '@sloth/core';
import { delegationBundle, type WorkflowFile } from '@sloth/lua';
import {
  Agent_Status,
  ConnectError,
  type ControlClient,
  ControlService,
  createClient,
  fromRpcError,
  type MasterConnection,
  type MasterTransport,
  masterTransport,
} from '@sloth/master/client';

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

  /** Runs the task's body on `agent`: its log lines come back as they are written, then its outcome. */
  async runTask({ agent, ctx, timeoutMs }: Parameters<TaskDelegator['runTask']>[0]): Promise<TaskOutcome> {
    const bundle = delegationBundle(this.file);
    let workId: string | undefined;
    try {
      const replies = this.client.runTask(
        {
          agent,
          task: {
            runId: ctx.runId,
            workflow: this.workflow,
            task: ctx.task,
            entryFile: bundle.entryFile,
            files: bundle.files,
            paramsJson: JSON.stringify(ctx.params),
            valuesJson: JSON.stringify(this.values),
            depsJson: JSON.stringify(ctx.deps),
            timeoutMs: timeoutMs ?? 0,
          },
        },
        { signal: ctx.signal },
      );
      for await (const reply of replies) {
        if (reply.msg.case === 'output') {
          const o = reply.msg.value;
          workId = o.workId;
          const level = (LEVELS.has(o.level) ? o.level : 'info') as LogLevel;
          ctx.log.log(level, o.text.replace(/\n$/, ''));
        } else if (reply.msg.case === 'result') {
          const r = reply.msg.value;
          const output = r.outputJson ? (JSON.parse(r.outputJson) as Record<string, unknown>) : undefined;
          return r.success ? { success: true, output } : { success: false, message: r.error || 'failed', output };
        }
      }
      throw new SlothError('unavailable', `the master ended the call without a result for task '${ctx.task}' on ${agent}`);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      // The master's own verdicts on the agent (gone, restarted, past its deadline) are about the task, not the link.
      const verdict = ConnectError.from(err).rawMessage;
      if (/^(agent \S+ (went away|came back)|no result from agent )/.test(verdict)) {
        throw new SlothError('unavailable', `task '${ctx.task}' did not finish on ${agent}: ${verdict}`, {
          hint: `\`sloth-runner agent get ${agent}\` shows whether the agent is back`,
        });
      }
      const e = fromRpcError(err, this.conn.address, this.transport.baseUrl.startsWith('https:'));
      if (e.code === 'unavailable' && workId !== undefined) {
        // The agent keeps the result until a master acknowledges it: it is recorded when the master is back.
        throw new SlothError(
          'unavailable',
          `lost the master while task '${ctx.task}' ran on ${agent} (work ${workId}): ${e.message}`,
          { hint: 'the agent keeps its result and the master records it when it is back; run the workflow again to use it' },
        );
      }
      throw e;
    }
  }

  /** Closes the HTTP/2 connection to the master. */
  close(): void {
    this.transport.close();
  }
}
