import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import type { DashboardService } from '@sloth/proto';
import { auditRepo, type Store } from '@sloth/store-sqlite';
import { execOnAgentsSchema, validate } from '../validation.js';
import type { AgentControl } from './agent-control.js';
import { dashboardActor } from './audit.js';

/**
 * Agent control: a command run on several agents at once, each one's output relayed as it comes (the fan-out of
 * RunTasks, with `agent exec`'s commands), through the master of this process or the one `ui --master` names. The
 * dashboard's session is opened with the master's token, the one `agent exec` needs. Every try is recorded in the
 * audit log when it ends: the command, and how it ended on each agent.
 */
export function agentControlService(
  store: Store,
  control: AgentControl | undefined,
): Partial<ServiceImpl<typeof DashboardService>> {
  return {
    async *execOnAgents(req, ctx) {
      const outcomes = new Map<string, { ok: boolean; text: string }>();
      let ended = false;
      let refused: string | undefined;
      try {
        if (!control)
          throw new ConnectError(
            'agent control needs a master: open the dashboard of `sloth-runner master start --dashboard-port`, or start `sloth-runner ui --master ADDRESS`',
            Code.FailedPrecondition,
          );
        validate(execOnAgentsSchema, req, 'ExecOnAgents');
        for await (const reply of control(req.agents, { command: req.command, timeoutMs: req.timeoutMs }, ctx.signal)) {
          const agent = reply.agent ?? '';
          const msg = reply.msg;
          if (msg?.case === 'result') {
            const r = msg.value;
            // A failure says why (exit code 2, timed out after 5s, cancelled); a success, its exit code.
            outcomes.set(agent, { ok: r.success === true, text: r.error || `exit ${r.exitCode ?? 0}` });
          } else if (msg?.case === 'failed') {
            outcomes.set(agent, { ok: false, text: `not run: ${msg.value.message ?? ''}` });
          }
          yield reply;
        }
        ended = true;
      } catch (err) {
        refused = err instanceof ConnectError ? err.rawMessage : err instanceof Error ? err.message : String(err);
        throw err;
      } finally {
        const each = req.agents.map((a) => `${a}: ${outcomes.get(a)?.text ?? 'cancelled (the page went away)'}`).join('; ');
        const ok = ended && req.agents.every((a) => outcomes.get(a)?.ok);
        auditRepo(store).add({
          at: Date.now(),
          actor: ctx.values.get(dashboardActor),
          action: 'agent.exec',
          target: req.agents.join(', '),
          result: ok ? 'ok' : 'failed',
          detail: `${req.command}: ${refused ?? each}`,
        });
      }
    },
  };
}
