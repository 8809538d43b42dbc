import {
  abortableSleep,
  didYouMean,
  formatDuration,
  type LogLevel,
  SlothError,
  type TaskContext,
  type TaskDelegator,
  type TaskOutcome,
  type WorkflowSpec,
} from '@sloth/core';
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
  type RunTaskResponse,
  workVerdict,
} from '@sloth/master/client';

const LEVELS = new Set<string>(['debug', 'info', 'warn', 'error']);
/** How long a task whose master went away waits for it to come back before it fails. */
const REATTACH_WINDOW_MS = 60_000;
const REATTACH_MAX_DELAY_MS = 2000;

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
   * away meanwhile, the work goes on on the agent: this re-attaches to it when the master is back (for up to
   * REATTACH_WINDOW_MS), and gets its result then.
   */
  async runTask({ agent, ctx, timeoutMs }: Parameters<TaskDelegator['runTask']>[0]): Promise<TaskOutcome> {
    const bundle = delegationBundle(this.file);
    const lateTaskJson = (await this.file.lateTaskPayload(ctx.task)) ?? '';
    const work: { id?: string } = {};
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
            stack: this.stack,
            lateTaskJson,
          },
        },
        { signal: ctx.signal },
      );
      return await this.relay(replies, ctx, agent, work);
    } catch (err) {
      const lost = this.lostMaster(err, ctx, agent, work.id);
      if (!lost || work.id === undefined) throw lost ?? err;
      return this.reattach(work.id, ctx, agent, lost);
    }
  }

  /** Waits for the master to come back and re-attaches to the work; gives up after REATTACH_WINDOW_MS. */
  private async reattach(workId: string, ctx: TaskContext, agent: string, lost: SlothError): Promise<TaskOutcome> {
    ctx.log.log(
      'warn',
      `lost the master while the task ran on ${agent} (work ${workId}): waiting up to ${formatDuration(REATTACH_WINDOW_MS)} for it to come back`,
    );
    const deadline = Date.now() + REATTACH_WINDOW_MS;
    let last = lost;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      await abortableSleep(Math.min(REATTACH_MAX_DELAY_MS, 250 * 2 ** attempt), ctx.signal).catch(() => {});
      if (ctx.signal.aborted) throw last;
      try {
        const outcome = await this.relay(this.client.watchWork({ workId }, { signal: ctx.signal }), ctx, agent, {
          id: workId,
        });
        ctx.log.log('info', `re-attached to work ${workId} on ${agent}`);
        return outcome;
      } catch (err) {
        const again = this.lostMaster(err, ctx, agent, workId);
        if (!again) throw err;
        last = again;
      }
    }
    throw new SlothError(
      'unavailable',
      `task '${ctx.task}' ran on ${agent} (work ${workId}), but the master did not come back within ${formatDuration(REATTACH_WINDOW_MS)}`,
      {
        hint: 'the agent keeps its result and the master records it when it is back (`agent_work` in its data directory); run the workflow again to use it',
      },
    );
  }

  /** Relays one RunTask or WatchWork stream: log lines to the task's log, then its outcome. */
  private async relay(
    replies: AsyncIterable<RunTaskResponse>,
    ctx: TaskContext,
    agent: string,
    work: { id?: string },
  ): Promise<TaskOutcome> {
    for await (const reply of replies) {
      if (reply.msg.case === 'accepted') {
        work.id = reply.msg.value.workId;
      } else if (reply.msg.case === 'output') {
        const o = reply.msg.value;
        work.id = o.workId;
        const level = (LEVELS.has(o.level) ? o.level : 'info') as LogLevel;
        ctx.log.log(level, o.text.replace(/\n$/, ''));
      } else if (reply.msg.case === 'result') {
        const r = reply.msg.value;
        const output = r.outputJson ? (JSON.parse(r.outputJson) as Record<string, unknown>) : undefined;
        return r.success ? { success: true, output } : { success: false, message: r.error || 'failed', output };
      }
    }
    throw new SlothError('unavailable', `the master ended the call without a result for task '${ctx.task}' on ${agent}`);
  }

  /**
   * The error of a failed call, for people; undefined when it is not the link to the master that failed (the caller
   * rethrows it): the master's verdicts on the work (its agent gone or restarted, past its deadline) are about the task.
   */
  private lostMaster(err: unknown, ctx: TaskContext, agent: string, workId: string | undefined): SlothError | undefined {
    if (ctx.signal.aborted) return undefined;
    if (workVerdict(err) !== undefined) {
      throw new SlothError('unavailable', `task '${ctx.task}' did not finish on ${agent}: ${ConnectError.from(err).rawMessage}`, {
        hint: `\`sloth-runner agent get ${agent}\` shows whether the agent is back`,
      });
    }
    const e = fromRpcError(err, this.conn.address, this.transport.baseUrl.startsWith('https:'));
    if (e.code !== 'unavailable' || workId === undefined) throw e;
    return e;
  }

  /** Closes the HTTP/2 connection to the master. */
  close(): void {
    this.transport.close();
  }
}
