import { type IPty, spawn as spawnPty } from '@lydell/node-pty';
import { afterEach } from 'vitest';
import { BIN, REPO, waitForOutput } from './cli.test-helper.js';

/** The CLI running in a pseudo-terminal of its own: what it printed, and how to type into it and resize it. */
export interface CliTerminal {
  pty: IPty;
  output(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ exitCode: number; signal?: number | undefined }>;
}

const terminals: IPty[] = [];
afterEach(() => {
  for (const t of terminals.splice(0)) {
    try {
      t.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Runs the CLI in a new pseudo-terminal. `sttyAfter`: through sh, which prints the terminal's modes (`stty -a`) once
 * the CLI has exited and exits with its code, to show the CLI put the terminal back.
 */
export function cliInTerminal(
  args: string[],
  home: string,
  sttyAfter = false,
  options: { cwd?: string; env?: Record<string, string> } = {},
): CliTerminal {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, { CI: '1', NO_COLOR: '1', SLOTH_HOME: home, SLOTH_TOKEN: '', TERM: 'xterm' }, options.env);
  // An empty value in options.env removes the variable (CI: '' makes the CLI see a person's terminal, not CI).
  for (const [k, v] of Object.entries(options.env ?? {})) if (v === '') delete env[k];
  const [file, argv] = sttyAfter
    ? ['/bin/sh', ['-c', '"$0" "$@"; code=$?; echo MODES-AFTER; stty -a; exit $code', process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  const pty = spawnPty(file, argv, { cols: 100, rows: 30, cwd: options.cwd ?? REPO, env, name: 'xterm' });
  terminals.push(pty);
  let out = '';
  pty.onData((d) => {
    out += d;
  });
  const exited = new Promise<{ exitCode: number; signal?: number | undefined }>((resolve) => pty.onExit(resolve));
  return {
    pty,
    output: () => out,
    waitFor: (re, timeoutMs = 20_000) => waitForOutput(() => out, re, timeoutMs),
    exited,
  };
}
