// A real master and real agents for the fleet benchmarks, started from the built CLI and sloth-agent.
import { join } from 'node:path';
import { daemon, until } from './daemon.mjs';
import { REPO } from './paths.mjs';

/** The CLI entry (`node apps/cli/bin/run.js ...`) and the standalone agent. */
export const SLOTH_BIN = join(REPO, 'apps/cli/bin/run.js');
export const AGENT_BIN = join(REPO, 'apps/agent/bin/sloth-agent.js');

/** The master's client module (controlClient, Agent_Status, ...) from the build. */
export const masterClient = () => import(join(REPO, 'packages/master/dist/client.js'));

/**
 * `sloth-runner master start` on a loopback port (a free one unless given) with its data in `home`, and `extra` flags;
 * resolves once it listens.
 */
export async function startMaster(home, tokenFile, heartbeat, port = 0, extra = []) {
  const m = daemon(
    [
      SLOTH_BIN,
      'master',
      'start',
      '--port',
      String(port),
      '--token-file',
      tokenFile,
      '--heartbeat-interval',
      heartbeat,
      ...extra,
    ],
    {
      SLOTH_HOME: home,
    },
  );
  await until(() => /master listening on (\S+)/.test(m.output()), 30_000, `the master to listen\n${m.output()}`);
  return { ...m, url: /master listening on (\S+)/.exec(m.output())[1] };
}

/** A `sloth-agent` named `name` connecting to the master at `url`. */
export function startAgent(name, url, tokenFile, env = {}) {
  return daemon([AGENT_BIN, '--name', name, '--master', url, '--token-file', tokenFile], env);
}
