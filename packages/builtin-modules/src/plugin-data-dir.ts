import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the CLI's plugin manager (oclif's) keeps the installed and linked plugins: its `package.json` lists them.
 * The same rule as oclif's for the `sloth-runner` CLI: $SLOTH_RUNNER_DATA_DIR, else $XDG_DATA_HOME/sloth-runner,
 * else ~/.local/share/sloth-runner. The agent reads it too, without oclif.
 */
export function pluginDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SLOTH_RUNNER_DATA_DIR) return env.SLOTH_RUNNER_DATA_DIR;
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'sloth-runner');
}
