import { arg, type ModuleCallContext, SlothError, z } from '@sloth/core';
import { installedVersionOf } from '@sloth/module-pkg';
import { ensureSystemd, readUnit, type UnitFacts, unitNameSchema } from '@sloth/module-systemd';
import { readGroup, readUser } from '@sloth/module-user';
import { check, type Verdict } from './check.js';
import { countProcesses } from './processes.js';

const unitArg = arg('name', unitNameSchema, 'the unit: "nginx" or "nginx.service"');

/** A check of a unit as systemd has it loaded; one systemd does not know fails it. */
function serviceCheck(doc: string, example: string, verdict: (name: string, u: UnitFacts) => Verdict) {
  return check({
    doc,
    args: [unitArg],
    examples: [example],
    check: async ([name], ctx) => {
      await ensureSystemd(ctx);
      const u = await readUnit(ctx, name);
      return u.load_state === 'not-found' ? `unit ${name} is not known to systemd` : verdict(name, u);
    },
  });
}

export const serviceIsRunning = serviceCheck(
  'Passes when systemd has the unit active (running, or starting or reloading). Where systemd does not run the host, it raises an error saying what PID 1 is.',
  'infra_test.service_is_running("nginx")',
  (name, u) => (u.active ? undefined : `${name} is not running (${u.active_state}, ${u.sub_state})`),
);

export const serviceIsEnabled = serviceCheck(
  'Passes when systemd starts the unit at boot, as `systemctl is-enabled` answers yes (enabled, or static: started by another unit).',
  'infra_test.service_is_enabled("nginx")',
  (name, u) => (u.enabled ? undefined : `${name} is not enabled (${u.unit_file_state || u.load_state})`),
);

const processArg = arg('name', z.string().min(1, 'expected a process name'), 'the process name (as ps -e shows it)');

export const processIsRunning = check({
  doc: 'Passes when at least one process has this name (/proc/PID/comm, or the file name of its argv[0] for names longer than 15 characters).',
  args: [processArg],
  examples: ['infra_test.process_is_running("nginx")'],
  check: async ([name], ctx) => ((await countProcesses(ctx, name)) > 0 ? undefined : `no process named ${name} is running`),
});

export const processCount = check({
  doc: 'Passes when exactly `count` processes have this name (named as for process_is_running).',
  args: [processArg, arg('count', z.number().int().min(0, 'expected a count of 0 or more'), 'how many')],
  examples: ['infra_test.process_count("nginx", 4) -- a master and 3 workers'],
  check: async ([name, count], ctx) => {
    const n = await countProcesses(ctx, name);
    return n === count ? undefined : `${n} process${n === 1 ? '' : 'es'} named ${name} running, expected ${count}`;
  },
});

/** How long a check's command may run. */
const COMMAND_TIMEOUT_MS = 60_000;
const commandArg = arg('cmd', z.string().min(1, 'expected a command line'), 'a shell command line');

/** Runs a check's command through the host (a shell line, as the task's user, killed with the task). */
async function runCommand(ctx: ModuleCallContext, cmd: string) {
  const r = await ctx.host.run(cmd, { timeoutMs: COMMAND_TIMEOUT_MS });
  if (r.aborted) throw new SlothError('aborted', `${ctx.fn}: \`${cmd}\` was stopped with the task`);
  return r;
}

/** Why a command failed: its exit and the last line of what it said. */
function commandFailure(cmd: string, r: Awaited<ReturnType<typeof runCommand>>): string {
  const said = (r.stderr.trim() || r.stdout.trim()).split('\n').at(-1) ?? '';
  const how = r.timedOut
    ? `did not finish within ${COMMAND_TIMEOUT_MS / 1000} s`
    : r.signal
      ? `was killed by ${r.signal}`
      : `exited with code ${r.exitCode}`;
  return `\`${cmd}\` ${how}${said ? `: ${said}` : ''}`;
}

export const commandSucceeds = check({
  doc: 'Passes when the shell command exits 0 (run with /bin/sh -c as the task, killed with it, at most 60s). It runs in check mode too: a check should only read.',
  args: [commandArg],
  examples: ['infra_test.command_succeeds("nginx -t")'],
  check: async ([cmd], ctx) => {
    const r = await runCommand(ctx, cmd);
    return r.exitCode === 0 ? undefined : commandFailure(cmd, r);
  },
});

export const commandStdoutContains = check({
  doc: 'Passes when the shell command exits 0 and its standard output contains the text (run as command_succeeds runs it).',
  args: [commandArg, arg('text', z.string().min(1, 'expected the text to look for'), 'the text')],
  examples: ['infra_test.command_stdout_contains("curl -s http://localhost", "Welcome to nginx")'],
  check: async ([cmd, text], ctx) => {
    const r = await runCommand(ctx, cmd);
    if (r.exitCode !== 0) return commandFailure(cmd, r);
    return r.stdout.includes(text) ? undefined : `the output of \`${cmd}\` does not contain ${JSON.stringify(text)}`;
  },
});

export const packageIsInstalled = check({
  doc: "Passes when the package is installed (the package database: dpkg's, rpm's, apk's or pacman's, as pkg.is_installed reads it), at exactly this version when one is given.",
  args: [
    arg('name', z.string().min(1, 'expected a package name'), 'the package'),
    arg('version', z.string().min(1).optional(), 'the exact version installed'),
  ],
  examples: ['infra_test.package_is_installed("nginx")', 'infra_test.package_is_installed("nginx", "1.22.1-9")'],
  check: async ([name, version], ctx) => {
    const installed = await installedVersionOf(ctx, name);
    if (installed === undefined) return `package ${name} is not installed`;
    return version === undefined || installed === version
      ? undefined
      : `package ${name} ${installed} is installed, expected ${version}`;
  },
});

const accountArg = (what: string) => arg('name', z.string().min(1, `expected a ${what} name`), `the ${what} name`);

export const userExists = check({
  doc: 'Passes when the user exists (the account database as getent reads it: /etc/passwd, LDAP...).',
  args: [accountArg('user')],
  examples: ['infra_test.user_exists("www-data")'],
  check: async ([name], ctx) => ((await readUser(ctx, name)) ? undefined : `user ${name} does not exist`),
});

export const groupExists = check({
  doc: 'Passes when the group exists (getent group).',
  args: [accountArg('group')],
  examples: ['infra_test.group_exists("www-data")'],
  check: async ([name], ctx) => ((await readGroup(ctx, name)) ? undefined : `group ${name} does not exist`),
});
