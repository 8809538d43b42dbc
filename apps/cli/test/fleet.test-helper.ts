import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@sloth/store-sqlite';
import { afterEach } from 'vitest';
import { BIN, REPO, waitForOutput } from './cli.test-helper.js';

export const AGENT_BIN = join(REPO, 'apps/agent/bin/sloth-agent.js');
export const TOKEN = 'fleet-test-token-42';
/** Fast intervals so reconnection and silence are seen in seconds, loose enough for a busy 2-core machine. */
export const HEARTBEAT = '400ms';
/** With --debug: tests wait for the per-work lines ("running work ...", "work ... finished: ok"). */
export const FAST_AGENT = ['--reconnect-initial', '200ms', '--reconnect-max', '1s', '--debug'];

/** A long-running child (master or agent) whose output is collected as it comes. */
export interface Daemon {
  child: ChildProcess;
  output(): string;
  /** Waits until the output matches, or fails naming what was awaited and showing the output. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A long-running CLI (or agent) process on data directory `home`, its output collected; killed after each test. */
export function daemon(file: string, args: string[], home: string, env: Record<string, string> = {}, cwd = REPO): Daemon {
  const child = spawn(process.execPath, [file, ...args], {
    cwd,
    env: { ...process.env, CI: '1', NO_COLOR: '1', SLOTH_HOME: home, SLOTH_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => out,
    waitFor: (re, timeoutMs = 20_000) => waitForOutput(() => out, re, timeoutMs),
    exited,
  };
}

/** A fresh data directory with the test token in a file. */
export function fleetHome(): { home: string; tokenFile: string } {
  const home = mkdtempSync(join(tmpdir(), 'sloth-fleet-'));
  const tokenFile = join(home, 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  return { home, tokenFile };
}

/**
 * `sloth-runner master start` on 127.0.0.1 (a free port unless given), waiting until it listens; `url` is https:// with
 * --tls-cert. `bin`: another installation's bin/run.js (default: this checkout's).
 */
export async function startMaster(
  home: string,
  tokenFile: string,
  port = 0,
  extra: string[] = [],
  bin = BIN,
): Promise<Daemon & { url: string }> {
  // `extra` may set its own --heartbeat-interval (a test that is not about heartbeats, on a loaded machine).
  const heartbeat = extra.includes('--heartbeat-interval') ? [] : ['--heartbeat-interval', HEARTBEAT];
  const d = daemon(bin, ['master', 'start', '--port', String(port), '--token-file', tokenFile, ...heartbeat, ...extra], home);
  await d.waitFor(/master listening on https?:\/\/127\.0\.0\.1:\d+/);
  const url = /master listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(d.output())?.[1] as string;
  return { ...d, url };
}

/**
 * An agent: `sloth-runner agent start` or, with `standalone`, the `sloth-agent` program (this checkout's, or the one
 * at `program`).
 */
export function startAgent(
  home: string,
  name: string,
  url: string,
  tokenFile: string,
  options: {
    standalone?: boolean;
    program?: string;
    extra?: string[];
    debug?: boolean;
    env?: Record<string, string>;
    cwd?: string;
  } = {},
): Daemon {
  const fast = options.debug === false ? FAST_AGENT.filter((a) => a !== '--debug') : FAST_AGENT;
  const args = ['--name', name, '--master', url, '--token-file', tokenFile, ...fast, ...(options.extra ?? [])];
  return options.standalone
    ? daemon(options.program ?? AGENT_BIN, args, home, options.env, options.cwd)
    : daemon(BIN, ['agent', 'start', ...args], home, options.env, options.cwd);
}

/** The flags that point a CLI command at a master with a token file. */
export const withMaster = (url: string, tokenFile: string) => ['--master', url, '--token-file', tokenFile];

/** The work the master recorded, read from its database as another process would. */
export function recordedWork(home: string) {
  const store = openStore(home);
  try {
    return store.sqlite
      .prepare('SELECT id, agent, what, status, exit_code AS exitCode FROM agent_work ORDER BY created_at')
      .all() as {
      id: string;
      agent: string;
      what: string;
      status: string;
      exitCode: number | null;
    }[];
  } finally {
    store.close();
  }
}
