import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  errorMessage,
  isDelegated,
  maskSecrets,
  type RunEvent,
  type RunResult,
  type SecretStore,
  SlothError,
  startSpawnHelper,
  type TaskDelegator,
  type TaskOutcome,
  type TaskSpec,
  type WorkflowSpec,
} from '@sloth/core/internal';
import { RunEventRecorder, runRecordedWorkflow } from '@sloth/events';
import type { WorkflowFile } from '@sloth/lua';
import { loadInventory, SshFleet } from '@sloth/ssh';
import { defaultDataDir, type StackRun } from '@sloth/store-sqlite';
import { parseDurationFlag } from './duration-flag.js';
import { ms } from './events-cli/format.js';
import { EXIT, exitCodeForRun } from './exit-codes.js';
import { type MasterFlags, masterConfigured, masterConnection } from './fleet-cli/connect.js';
import type { MasterRunReporter } from './fleet-cli/run-reporter.js';
import type { MasterDelegator, RunInputs } from './fleet-cli/task-delegator.js';
import { openWorkflowFile } from './open-workflow-file.js';
import type { ReportedRun } from './render/json-report.js';
import { junitReport } from './render/junit-report.js';
import { createRenderer, type OutputMode } from './render/renderers.js';
import { stopWithScheduler } from './scheduler/stop-with-scheduler.js';
import { lazyServices } from './store-access.js';

export interface RunCommandOptions {
  name: string | undefined;
  file: string;
  values: string[] | undefined;
  set: string[] | undefined;
  param: string[] | undefined;
  /** `--load-timeout`: how long the file's top level may run. */
  'load-timeout'?: string | undefined;
  output: OutputMode;
  debug: boolean;
  dataDir: string | undefined;
  /** The stack to record into; default NAME, else the workflow's name. */
  stack?: string | undefined;
  /** How long to wait for another run's lock on the stack ("0": fail at once). */
  lockTimeout?: string | undefined;
  /** How long to run hooks for this run's events after it ends ("0": leave them pending). */
  hooksTimeout?: string | undefined;
  /** `--delegate-to A,B`: every task's body runs on these agents. */
  delegateTo?: string | undefined;
  /** How to reach the master of delegated tasks. */
  master?: MasterFlags | undefined;
  /** `--check`: report what would change, change nothing. */
  check?: boolean | undefined;
  /** `--diff`: print the diff of each change under its task. */
  diff?: boolean | undefined;
  /** `--force-handlers`: run notified handlers even when the run failed. */
  forceHandlers?: boolean | undefined;
  /** `--junit FILE`: also write the run as JUnit XML there. */
  junit?: string | undefined;
  /** `-i FILE`: hosts reached over SSH by name. */
  inventory?: string | undefined;
  /** `--limit PATTERN`: the inventory hosts this run may act on. */
  limit?: string | undefined;
  /** `--forks N`: how many SSH hosts a fan-out reaches at once. */
  forks?: number | undefined;
}

/**
 * `workflow run`: load, pick the workflow, lock and record its stack, run it with SIGINT/SIGTERM wired to cancellation,
 * render, set the exit code.
 */
export async function runWorkflowCommand(options: RunCommandOptions): Promise<void> {
  const lockTimeoutMs = parseDurationFlag(
    '--lock-timeout',
    options.lockTimeout,
    'e.g. --lock-timeout 30s or 5m (0: fail at once)',
  );
  const hooksTimeoutMs = parseDurationFlag(
    '--hooks-timeout',
    options.hooksTimeout ?? '10s',
    'e.g. --hooks-timeout 30s (0: leave the events for `sloth-runner events serve`)',
  );
  // Before the workflow loads: its commands then start from the small helper, not by forking this grown process.
  startSpawnHelper();
  const renderer = createRenderer(options.output, {
    debug: options.debug,
    tty: Boolean(process.stdout.isTTY) && (process.stdout.columns ?? 0) > 0 && !process.env.CI,
    diff: options.diff,
    checkMode: options.check === true,
  });
  const store = lazyServices(options.dataDir);
  const openedStore = store.store;
  const fleet = await sshFleet(options).catch((err) => {
    store.close();
    throw err;
  });
  store.services.remote = fleet;
  // The run's events (workflow.*, task.*, stack.*, event.dispatch) are persisted as they happen; hooks run after it.
  const events = new RunEventRecorder(openedStore, (message) => process.stderr.write(`warning: ${message}\n`));
  store.services.events = events;
  const { file, params, values } = await openWorkflowFile({
    ...options,
    checkMode: options.check === true,
    observer: renderer.observer,
    services: store.services,
  }).catch((err) => {
    store.close();
    throw err;
  });
  const controller = new AbortController();
  let stackRun: StackRun | undefined;
  let delegator: MasterDelegator | undefined;
  let late: ReturnType<typeof lateDelegator>;
  let reporter: MasterRunReporter | undefined;
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) {
      process.stderr.write(`\n${signal} again: exiting now\n`);
      // Record the end before leaving (SQLite writes are synchronous), so the stack is not left 'running' and locked.
      try {
        stackRun?.finish('aborted', {}, `exited at once on a second ${signal}`);
      } catch {
        // The next run marks the execution interrupted and takes over the lock of a dead process anyway.
      }
      process.exit(EXIT.interrupted);
    }
    process.stderr.write(`\n${signal} received: stopping running tasks (send it again to exit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const unwatch = stopWithScheduler(() => {
    if (interrupts === 0) onSignal('SIGTERM');
  });
  try {
    const workflow = withDelegateFlag(file.findWorkflow(options.name), options.delegateTo);
    const stackName = options.stack ?? options.name ?? workflow.name;
    // Delegated tasks get the secrets their files name from this machine's data directory.
    const secrets = () => store.services.secrets;
    // Tasks delegated to agents need the master, and their agents are checked before anything runs; hosts reached
    // over SSH need neither.
    const viaMaster = agentsOnly(workflow, fleet);
    if (viaMaster.tasks.some(isDelegated)) {
      delegator = await connectDelegator(viaMaster, file, { params, values }, stackName, options, secrets);
    }
    // Tasks created at run time may be delegated too: the link to the master is made when the first one is.
    late = delegator ? undefined : lateDelegator(workflow.name, file, { params, values }, stackName, options, secrets);
    reporter = await runReporter(options, delegator !== undefined, workflow.name, stackName);
    const observer = reporter
      ? (e: RunEvent) => {
          renderer.observer(e);
          reporter?.observe(e);
        }
      : renderer.observer;
    // Hook lines and failures of this run's events: the secrets it read are masked in them.
    const write = (line: string) => process.stderr.write(`${maskSecrets(line)}\n`);
    const { hooks } = await runRecordedWorkflow({
      file,
      workflow,
      store: openedStore,
      services: store.services,
      events,
      stack: stackName,
      params,
      signal: controller.signal,
      observer,
      delegate: delegator ?? late?.delegate,
      lockTimeoutMs,
      forceHandlers: options.forceHandlers,
      onLeaseLost: (message) => {
        process.stderr.write(`\n${message}: stopping this run\n`);
        controller.abort();
      },
      onStackRun: (run) => {
        stackRun = run;
      },
      onFinished: (result, stack) => {
        // The renderer takes a RunResult; the stack rides along for the JSON report and the summary (ReportedRun).
        const reported: ReportedRun = { ...result, stack };
        renderer.finish(reported);
        process.exitCode = exitCodeForRun(result.status);
        if (options.junit !== undefined) writeJunit(options.junit, result);
      },
      hooks: { timeoutMs: hooksTimeoutMs, write },
    });
    if (hooks && hooks.left > 0) {
      write(
        `hooks: ${hooks.left} event(s) of this run left pending after ${ms(hooksTimeoutMs)} (raise --hooks-timeout, or run \`sloth-runner events serve\` to process them)`,
      );
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    unwatch();
    delegator?.close();
    late?.close();
    await reporter?.close();
    await fleet.close();
    file.close();
    store.close();
  }
}

/** The run's hosts reached over SSH: ssh:// addresses, and the inventory's hosts (`-i`, `--limit`, `--forks`). */
async function sshFleet(options: RunCommandOptions): Promise<SshFleet> {
  if (options.limit !== undefined && options.inventory === undefined) {
    throw new SlothError('usage', '--limit needs an inventory', { hint: 'give one with -i inventory.yaml' });
  }
  if (options.forks !== undefined && (!Number.isInteger(options.forks) || options.forks < 1)) {
    throw new SlothError('usage', `--forks must be a whole number of hosts, at least 1 (got ${options.forks})`);
  }
  return new SshFleet({
    knownHostsFile: join(options.dataDir ?? defaultDataDir(), 'known_hosts'),
    inventory: options.inventory === undefined ? undefined : await loadInventory(options.inventory),
    limit: options.limit,
    forks: options.forks,
  });
}

/**
 * The workflow as the master sees it: each task delegated only to the names that are agents (inventory groups
 * expanded, hosts reached over SSH left out); a task delegated to SSH hosts alone is not delegated there at all.
 */
function agentsOnly(workflow: WorkflowSpec, fleet: SshFleet): WorkflowSpec {
  return {
    ...workflow,
    tasks: workflow.tasks.map((t) => {
      if (!t.delegateTo?.length) return t;
      const agents = fleet.select(t.delegateTo).filter((a) => !fleet.has(a));
      return { ...t, delegateTo: agents.length ? agents : undefined };
    }),
  };
}

/** Writes `--junit FILE`; a file that cannot be written is said on stderr and fails the command. */
function writeJunit(path: string, result: RunResult): void {
  try {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    writeFileSync(path, junitReport(result));
  } catch (err) {
    process.stderr.write(
      `cannot write the JUnit report to ${path}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}\n`,
    );
    process.exitCode = EXIT.usage;
  }
}

/** The workflow as `--delegate-to A,B` wants it (unchanged without the flag). */
function withDelegateFlag(workflow: WorkflowSpec, flag: string | undefined): WorkflowSpec {
  if (flag === undefined) return workflow;
  const agents = flag
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (agents.length === 0)
    throw new SlothError('usage', '--delegate-to names no agent', { hint: 'e.g. --delegate-to web-01,web-02' });
  return {
    ...workflow,
    tasks: workflow.tasks.map((t) => ({ ...t, delegateTo: agents, chooseAgents: undefined, location: undefined })),
  };
}

/**
 * The reporter of a run to its master (the master's dashboard shows it), for a run given a master (--master,
 * $SLOTH_MASTER) or one that delegates tasks through it; none otherwise.
 */
async function runReporter(
  options: RunCommandOptions,
  delegates: boolean,
  workflow: string,
  stack: string,
): Promise<MasterRunReporter | undefined> {
  const flags: MasterFlags = { ...options.master, 'data-dir': options.dataDir };
  if (!delegates && (flags.master ?? process.env.SLOTH_MASTER ?? '') === '') return undefined;
  const { MasterRunReporter } = await import('./fleet-cli/run-reporter.js');
  return new MasterRunReporter(masterConnection(flags), { workflow, stack }, (message) =>
    process.stderr.write(`warning: ${message}\n`),
  );
}

/** The link to the master for a workflow with delegated tasks, once its agents are known to be there and active. */
async function connectDelegator(
  workflow: WorkflowSpec,
  file: WorkflowFile,
  inputs: RunInputs,
  stack: string,
  options: RunCommandOptions,
  secrets: () => SecretStore | undefined,
): Promise<MasterDelegator> {
  const flags: MasterFlags = { ...options.master, 'data-dir': options.dataDir };
  const first = workflow.tasks.find(isDelegated) as TaskSpec;
  if (!masterConfigured(flags)) {
    throw new SlothError(
      'usage',
      `task '${first.name}' is delegated to ${first.delegateTo?.join(', ') ?? 'agents chosen at run time'}, but no master is configured`,
      {
        location: first.location,
        hint: 'pass --master HOST:PORT (and --token-file), set $SLOTH_MASTER, or save one with `sloth-runner master add NAME HOST:PORT`',
      },
    );
  }
  // Loaded only for delegated workflows: the Connect client is not free to import.
  const { MasterDelegator } = await import('./fleet-cli/task-delegator.js');
  const delegator = new MasterDelegator(masterConnection(flags), file, workflow.name, inputs, stack, secrets);
  try {
    await delegator.check(workflow);
  } catch (err) {
    delegator.close();
    throw err;
  }
  return delegator;
}

/**
 * The delegator for tasks created at run time when no declared task is delegated: connected on first use, and only
 * when a master is configured (otherwise delegating says there is no master).
 */
function lateDelegator(
  workflow: string,
  file: WorkflowFile,
  inputs: RunInputs,
  stack: string,
  options: RunCommandOptions,
  secrets: () => SecretStore | undefined,
): { delegate: TaskDelegator; close(): void } | undefined {
  const flags: MasterFlags = { ...options.master, 'data-dir': options.dataDir };
  if (!masterConfigured(flags)) return undefined;
  let made: Promise<MasterDelegator> | undefined;
  const connect = () =>
    (made ??= import('./fleet-cli/task-delegator.js').then(
      ({ MasterDelegator }) => new MasterDelegator(masterConnection(flags), file, workflow, inputs, stack, secrets),
    ));
  return {
    delegate: {
      runTasks: (request) => {
        const outcomes = connect().then((d) => d.runTasks(request));
        return request.agents.map((_, i) => outcomes.then((list) => list[i] as Promise<TaskOutcome>));
      },
      runCall: (request) => connect().then((d) => d.runCall(request)),
      listAgents: () => connect().then((d) => d.listAgents()),
    },
    close: () => void made?.then((d) => d.close()),
  };
}
