import { join } from 'node:path';
import { type ModuleCallContext, type ProcessResult, SlothError, shellQuote } from '@sloth/core';
import { maskCredentials } from './credentials.js';

/** How long one git command may run unless the call says otherwise (a large clone over a slow link). */
export const GIT_TIMEOUT_MS = 30 * 60_000;

export interface GitOptions {
  /** The repository's directory (git -C). */
  cwd?: string | undefined;
  /** A private key for ssh:// and scp-like URLs. */
  keyFile?: string | undefined;
  timeoutMs?: number | undefined;
  /** Return the result of a non-zero exit instead of raising (queries that may find nothing). */
  mayFail?: boolean | undefined;
  /** Stream the output lines to the task log (network operations, whose progress users want to see). */
  live?: boolean | undefined;
}

/** The git to run: `SLOTH_GIT_BIN` in the task's environment when set, else `git` from PATH. */
const gitOf = (ctx: ModuleCallContext) => ctx.env.SLOTH_GIT_BIN || 'git';

/**
 * The environment git runs with: never a prompt (a missing credential fails at once instead of hanging the task),
 * messages in English (they are parsed and shown), ssh in batch mode with the key the call names.
 */
function gitEnv(ctx: ModuleCallContext, keyFile: string | undefined): Record<string, string> {
  const env: Record<string, string> = { ...ctx.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GCM_INTERACTIVE: 'never' };
  // As the ssh module: a host seen for the first time is recorded in the data directory's known_hosts (the user's
  // own is read too), a changed key fails.
  const dataDir = ctx.services?.dataDir;
  const known =
    dataDir && !/\s/.test(dataDir)
      ? ` -o ${shellQuote(`UserKnownHostsFile=${join(dataDir, 'known_hosts')} ~/.ssh/known_hosts`)}`
      : '';
  const ssh = `ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new${known}`;
  if (keyFile !== undefined) {
    env.GIT_SSH_COMMAND = `${ssh} -i ${shellQuote(keyFile)} -o IdentitiesOnly=yes`;
  } else if (!env.GIT_SSH_COMMAND) {
    env.GIT_SSH_COMMAND = ssh;
  }
  return env;
}

/** Runs `git ARGS` on the task's host; a failure is an error with what git said (credentials masked). */
export async function git(ctx: ModuleCallContext, args: readonly string[], options: GitOptions = {}): Promise<ProcessResult> {
  const argv = [gitOf(ctx), ...(options.cwd !== undefined ? ['-C', options.cwd] : []), ...args];
  const shown = maskCredentials(`git ${args.join(' ')}`);
  const result = await ctx.host.run(argv, {
    env: gitEnv(ctx, options.keyFile),
    timeoutMs: options.timeoutMs ?? GIT_TIMEOUT_MS,
    onLine: options.live ? (_stream, line) => ctx.log.log('info', maskCredentials(line)) : undefined,
  });
  if (result.spawnError === 'ENOENT') {
    throw new SlothError('not_found', `${ctx.fn}: the git CLI is not installed on ${ctx.host.name}`, {
      hint: 'install git (Debian: apt-get install git), or set SLOTH_GIT_BIN to its path',
    });
  }
  if (result.aborted) throw new SlothError('aborted', `${ctx.fn}: ${shown} was stopped with the task`);
  if (result.timedOut) {
    throw new SlothError('timeout', `${ctx.fn}: ${shown} did not finish in time`, {
      hint: "a slow network or a huge repository: raise the call's timeout, or clone with depth = 1",
    });
  }
  if (result.exitCode !== 0 && !options.mayFail) {
    const said = maskCredentials((result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n'));
    throw new SlothError('task_failed', `${ctx.fn}: ${shown} failed (exit ${result.exitCode ?? result.signal}): ${said}`, {
      hint: hintFor(said),
    });
  }
  return result;
}

/** What to do about the common failures, from what git said. */
function hintFor(said: string): string {
  if (/terminal prompts disabled|could not read Username|Authentication failed|Permission denied \(publickey/i.test(said)) {
    return 'git asked for credentials, and prompts are off: give key_file (ssh), a token in the URL, or a credential helper';
  }
  if (/Host key verification failed/i.test(said)) return "the server's ssh host key is not known: add it to known_hosts";
  if (/would be overwritten|local changes/i.test(said)) return 'the clone has local changes: commit or discard them first';
  if (/not a git repository/i.test(said)) return 'pass the path of a clone (or the table git.clone returned)';
  return 'run the same git command by hand in that directory to see more';
}

/** Trimmed stdout of a git command. */
export async function gitOut(ctx: ModuleCallContext, args: readonly string[], options: GitOptions = {}): Promise<string> {
  return (await git(ctx, args, options)).stdout.trim();
}
