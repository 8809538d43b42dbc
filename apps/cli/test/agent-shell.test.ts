import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, waitFor, waitForPid } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { BIN, type CliResult, collect, REPO, runCli } from './cli.test-helper.js';
import { eventsOf } from './events.test-helper.js';
import { fleetHome, startAgent, startMaster } from './fleet.test-helper.js';
import { type CliTerminal, cliInTerminal } from './terminal.test-helper.js';

// `agent shell` end to end: a real master and agent, and the CLI itself in a real pseudo-terminal (as a person runs
// it), so raw mode, resizes and the exit code are what a terminal sees.

/** The remote shell: plain sh with a prompt the tests wait for (a prompt means it reads what we type). */
const REMOTE_ENV = { SHELL: '/bin/sh', PS1: 'remote$ ' };
const PROMPT = /remote\$ /;

/** A master, and one agent `sh-01` connected to it whose shells are `sh` with our prompt. */
async function fleet() {
  const { home, tokenFile } = fleetHome();
  const master = await startMaster(home, tokenFile);
  const agent = startAgent(home, 'sh-01', master.url, tokenFile, { env: REMOTE_ENV });
  await agent.waitFor(/registered with the master/);
  const shellArgs = ['agent', 'shell', 'sh-01', '--master', master.url, '--token-file', tokenFile];
  return { home, tokenFile, master, agent, shellArgs };
}

/** Opens a shell in a terminal, and has the remote shell write its pid to a file: returns the terminal and that pid. */
async function openShell(f: Awaited<ReturnType<typeof fleet>>, name: string, sttyAfter = false) {
  const term = cliInTerminal(f.shellArgs, f.home, sttyAfter);
  await term.waitFor(PROMPT);
  const pidFile = join(f.home, `${name}.pid`);
  term.pty.write(`echo $$ > ${pidFile}\r`);
  return { term, pid: await waitForPid(pidFile, `the remote shell to write ${pidFile}`) };
}

/** The terminal's modes after the CLI exited are the ones it had before: line editing, echo, output processing. */
function expectRestored(term: CliTerminal): void {
  const modes = term.output().split('MODES-AFTER')[1] ?? '';
  expect(modes).toMatch(/(^|[\s;])icanon\b/);
  expect(modes).toMatch(/(^|[\s;])echo\b/);
  expect(modes).toMatch(/(^|[\s;])opost\b/);
  expect(modes).toMatch(/(^|[\s;])isig\b/);
}

/**
 * `agent shell` with its standard input a pipe that gives `input` and ends; with `until`, the rest of the input
 * (`rest`) is given only once the output matches it.
 */
async function shellFromPipe(
  f: Awaited<ReturnType<typeof fleet>>,
  input: string,
  until?: { output: RegExp; rest: string },
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...f.shellArgs], {
    cwd: REPO,
    env: { ...process.env, CI: '1', NO_COLOR: '1', SLOTH_HOME: f.home, SLOTH_TOKEN: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const done = collect(child, 30_000);
  if (!until) {
    child.stdin?.end(input);
    return done;
  }
  child.stdin?.write(input);
  await waitFor(() => until.output.test(out), 20_000, String(until.output));
  child.stdin?.end(until.rest);
  return done;
}

/** Waits (bounded) for a process to be gone. */
function gone(pid: number, what: string): Promise<void> {
  return waitFor(() => !processAlive(pid), 15_000, `${what} (pid ${pid}) to be gone`);
}

describe('agent shell', () => {
  it('runs a shell on the agent in a terminal: output, window size and resizes, exit code; recorded as events', async () => {
    const f = await fleet();
    const { term, pid } = await openShell(f, 'shell', true);
    term.pty.write('stty size\r');
    await term.waitFor(/30 100/);

    // The remote terminal is resized when ours is: a script there waits for the SIGWINCH and prints the new size.
    term.pty.write(`sh -c 'trap "stty size; exit 0" WINCH; echo ARM""ED; while :; do sleep 1; done'\r`);
    await term.waitFor(/ARMED/);
    term.pty.resize(120, 40);
    // The size, then the prompt again (the script is over).
    await term.waitFor(/40 120[\s\S]*remote\$ /);

    term.pty.write('echo hello; exit 3\r');
    const { exitCode } = await term.exited;
    expect(exitCode).toBe(3);
    // The output line, not the echo of what was typed.
    expect(term.output()).toMatch(/\nhello\r\n/);
    // Our terminal is raw both ways: the remote's line ends arrive as they are, not turned into \r\r\n here.
    expect(term.output().split('MODES-AFTER')[0]).not.toMatch(/\r\r\n/);
    expectRestored(term);
    await gone(pid, 'the remote shell');

    await waitFor(() => eventsOf(f.home, 'agent.shell_ended').length === 1, 10_000, 'agent.shell_ended');
    const [started] = eventsOf(f.home, 'agent.shell_started');
    const [ended] = eventsOf(f.home, 'agent.shell_ended');
    expect(started?.data).toMatchObject({ agent: { name: 'sh-01' }, session_id: expect.any(String) });
    expect(started?.data.client).toMatch(/.@./);
    expect(started?.data.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(ended?.data).toMatchObject({
      agent: { name: 'sh-01' },
      session_id: started?.data.session_id,
      exit_code: 3,
      reason: 'the shell exited',
      duration_ms: expect.any(Number),
    });
    // Never what was typed or printed.
    expect(JSON.stringify([started?.data, ended?.data])).not.toMatch(/hello|stty/);
  });

  it('is refused with a wrong token, and names an unknown agent', async () => {
    const f = await fleet();
    const wrong = await runCli([...f.shellArgs.slice(0, -2), '--token', 'not-the-token-at-all'], { env: { SLOTH_HOME: f.home } });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/refused the token/);
    const unknown = await runCli(['agent', 'shell', 'sh-02', ...f.shellArgs.slice(3)], { env: { SLOTH_HOME: f.home } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no agent named 'sh-02' \(did you mean 'sh-01'\?\)/);
    expect(eventsOf(f.home, 'agent.shell_started')).toEqual([]);
  });

  it('works from a pipe: the input is typed into the shell, large output flows, the end of the input ends the shell', async () => {
    const f = await fleet();
    // 3 MB of output: past the agent's window, so it only all arrives if this side reports what it wrote. The shell
    // exits only once all of it is here: what a shell prints in its last moments can be lost (see Known limits).
    const r = await shellFromPipe(f, "echo piped-$((6*7)); head -c 3000000 /dev/zero | tr '\\000' Y; echo; echo END-$((1+1))\n", {
      output: /END-2/,
      rest: 'exit 5\n',
    });
    expect(r.stdout).toMatch(/piped-42/);
    expect(r.stdout.includes('Y'.repeat(3_000_000))).toBe(true);
    expect(r.code).toBe(5);

    // Input that ends without an exit: its end (Ctrl-D) ends the shell.
    const e = await shellFromPipe(f, 'echo no-exit\n');
    expect(e.stdout).toMatch(/no-exit/);
    expect(e.code).toBe(0);
  });

  it('kills the remote shell when the CLI is killed (SIGKILL)', async () => {
    const f = await fleet();
    const { term, pid } = await openShell(f, 'killed');
    process.kill(term.pty.pid, 'SIGKILL');
    await term.exited;
    await gone(pid, 'the remote shell of a killed CLI');
    await waitFor(() => eventsOf(f.home, 'agent.shell_ended').length === 1, 10_000, 'agent.shell_ended');
    expect(eventsOf(f.home, 'agent.shell_ended')[0]?.data).toMatchObject({ exit_code: null, reason: 'the caller went away' });
  });

  it('SIGTERM here closes the session: exit code 130, the terminal restored, the remote shell killed', async () => {
    const f = await fleet();
    const { term, pid } = await openShell(f, 'terminated', true);
    // The CLI is the child of the sh that shows the terminal's modes afterwards.
    const sh = term.pty.pid;
    const cli = Number(readFileSync(`/proc/${sh}/task/${sh}/children`, 'utf8').trim());
    process.kill(cli, 'SIGTERM');
    const { exitCode } = await term.exited;
    expect(exitCode).toBe(130);
    expect(term.output()).toMatch(/interrupted: the shell session on sh-01 was closed/);
    expectRestored(term);
    await gone(pid, 'the remote shell of an interrupted CLI');
  });

  it('ends with a clear error when the master goes away, and the remote shell dies with the session', async () => {
    const f = await fleet();
    const { term, pid } = await openShell(f, 'master-lost', true);
    f.master.child.kill('SIGKILL');
    const { exitCode } = await term.exited;
    expect(exitCode).toBe(2);
    expect(term.output()).toMatch(/lost the master at http:\/\/127\.0\.0\.1:\d+ during the shell session on sh-01/);
    expectRestored(term);
    await gone(pid, 'the remote shell whose master went away');
  });

  it('ends when the agent stops: the agent kills the shell and says so', async () => {
    const f = await fleet();
    const { term, pid } = await openShell(f, 'agent-stopped');
    f.agent.child.kill('SIGTERM');
    const { exitCode } = await term.exited;
    // Killed with SIGHUP, as a closed terminal kills it.
    expect(exitCode).toBe(129);
    expect(term.output()).toMatch(/on sh-01: the agent is stopping/);
    await gone(pid, 'the remote shell of a stopped agent');
    expect(await f.agent.exited).toMatchObject({ code: 0 });
  });

  it('ends with a clear error when the agent is lost (SIGKILL)', async () => {
    const f = await fleet();
    const { term, pid } = await openShell(f, 'agent-killed');
    f.agent.child.kill('SIGKILL');
    const { exitCode } = await term.exited;
    expect(exitCode).toBe(2);
    expect(term.output()).toMatch(/the shell session on sh-01 ended: the agent's connection to the master ended/);
    // The agent could not kill it: its terminal hung up when the agent died, which kills a shell.
    await gone(pid, 'the remote shell of a killed agent');
    await waitFor(() => eventsOf(f.home, 'agent.shell_ended').length === 1, 10_000, 'agent.shell_ended');
  });
});
