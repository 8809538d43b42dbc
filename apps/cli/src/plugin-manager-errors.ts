import type { Hook } from '@oclif/core';
import { pcErr as pc } from './render/colors.js';

/** What oclif's errors carry: a process exit code, suggestions, and a way to tell its handler not to print them. */
type OclifError = Error & { oclif?: { exit?: number }; suggestions?: string[]; skipOclifErrorHandling?: boolean };

/**
 * oclif's `finally` hook: an error of oclif's plugin manager (`plugins install`, `uninstall`, `link`, ...) is printed
 * in our words (`error:` and `hint:` lines, as every other command's), never with a stack trace; oclif still exits with
 * its code. A name npm cannot find says where plugins come from: its message alone does not name the registry.
 */
export const pluginManagerErrors: Hook.Finally = async ({ Command, error }) => {
  if (!error || Command?.pluginName !== '@oclif/plugin-plugins') return;
  const err = error as OclifError;
  if (err.constructor.name === 'ExitError' || err.skipOclifErrorHandling) return;
  const missing = /^(\S+) does not exist in the registry\.$/.exec(err.message);
  const message = missing
    ? `npm found no package '${missing[1]}' in its registry (or could not reach the registry)`
    : err.message.trim();
  const hints = missing
    ? [
        'check the name: plugins come from the registry npm is set to (`npm config get registry`, set by `npm config set registry URL`), or from $SLOTH_RUNNER_NPM_REGISTRY when it is set',
      ]
    : (err.suggestions ?? []);
  process.stderr.write(`${pc.red('error:')} ${message}\n${hints.map((h) => `  ${pc.dim('hint:')} ${h}\n`).join('')}`);
  err.skipOclifErrorHandling = true;
};
