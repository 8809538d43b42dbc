import { Command, Flags } from '@oclif/core';
import { SlothError } from '@sloth/core';
import { maskError } from '@sloth/core/internal';
import { EXIT, exitCodeForError } from './exit-codes.js';
import { describeParseError } from './parse-errors.js';
import { pcErr as pc } from './render/colors.js';

/** Shared flags and error handling: people see what failed, where and what to do; stack traces only with --debug. */
export abstract class SlothCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({ description: 'Show stack traces and debug log lines.', default: false, helpGroup: 'GLOBAL' }),
    'data-dir': Flags.string({
      description: 'Where state, stacks and history are kept (default: $SLOTH_HOME, else ~/.sloth-runner).',
      helpGroup: 'GLOBAL',
    }),
  };

  protected get debugEnabled(): boolean {
    return this.argv.includes('--debug');
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err.oclif?.exit !== undefined && !(err instanceof SlothError) && err.constructor.name === 'ExitError') throw err;
    const debug = this.debugEnabled;
    // The error a command fails with is printed here: secrets read by it are masked in its message, hint and stack.
    maskError(err);
    if (err.cause instanceof Error) maskError(err.cause);
    if (err instanceof SlothError) {
      process.stderr.write(`${pc.red('error:')} ${err.location ? `${err.location}: ` : ''}${err.message}\n`);
      if (err.hint) process.stderr.write(`  ${pc.dim('hint:')} ${err.hint}\n`);
      if (debug)
        process.stderr.write(
          `${pc.dim(String(err.stack))}\n${err.cause instanceof Error ? pc.dim(String(err.cause.stack)) : ''}\n`,
        );
      process.exitCode = exitCodeForError(err.code);
      return;
    }
    // oclif's own parse errors (unknown flag, missing argument) are usage errors.
    if (err.oclif !== undefined || (err.constructor.name.endsWith('Error') && 'parse' in (err as object))) {
      const command = this.id?.replaceAll(':', ' ') ?? '';
      const message = describeParseError(err, command, { ...this.ctor.baseFlags, ...this.ctor.flags });
      process.stderr.write(`${pc.red('error:')} ${message}\n  ${pc.dim('hint:')} see \`sloth-runner ${command} --help\`\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stderr.write(`${pc.red('internal error:')} ${err.message}\n`);
    process.stderr.write(
      debug ? `${err.stack}\n` : `  ${pc.dim('hint:')} run again with --debug for the stack trace, and report it\n`,
    );
    process.exitCode = EXIT.failed;
  }
}
