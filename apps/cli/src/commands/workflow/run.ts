import { Args, Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { masterFlags } from '../../fleet-cli/flags.js';
import { fileFlag, inputFlags } from '../../workflow-flags.js';

export default class WorkflowRun extends SlothCommand {
  static override aliases = ['run'];
  static override summary = 'Run a workflow from a .sloth file.';
  static override description =
    'Tasks start as soon as their dependencies finish, up to max_parallel_tasks at once. Ctrl-C stops running tasks (and their child processes) and prints the summary; press it twice to exit at once. The run is recorded in its stack (NAME, or --stack), which it locks while it runs, and in the data directory (the Runs of the dashboard); a run given --master (or $SLOTH_MASTER), or one that delegates tasks, is also reported to that master as it goes. Exit code: 0 success, 1 the workflow failed or its stack is locked by another run, 2 usage or load error, 130 interrupted.';
  static override args = {
    name: Args.string({
      description:
        'The workflow to run (optional when the file defines only one), and the name of the stack the run is recorded in.',
    }),
  };
  static override flags = {
    file: fileFlag,
    ...inputFlags,
    output: Flags.string({
      char: 'o',
      description:
        'basic: logs and a summary table (a live view on a terminal); json: one JSON object on stdout, logs on stderr. "enhanced" is accepted as basic.',
      options: ['basic', 'enhanced', 'json'],
      default: 'basic',
    }),
    stack: Flags.string({
      description: 'The stack to record this run in (created on first use). Default: NAME, else the workflow name.',
    }),
    'lock-timeout': Flags.string({
      description:
        'How long to wait when another run holds the stack ("30s", "5m"). Default 0: fail at once (exit code 1), naming the holder.',
      default: '0',
    }),
    'hooks-timeout': Flags.string({
      description:
        'After the run, how long to run the hooks of its events ("10s", "1m"); the rest stay pending for `sloth-runner events serve`. 0: run none.',
      default: '10s',
    }),
    check: Flags.boolean({
      description:
        'Check mode: change nothing anywhere. Configuration functions read the machine and report what they would change (changed = true means "would change"); shell commands and exec.run are skipped (exec.run with check_mode = false still runs); notified handlers are reported as "would run".',
      default: false,
    }),
    diff: Flags.boolean({
      description:
        'Print the unified diff of each changed file under its task (with --check: of what would change). A call with diff = false hides its own.',
      default: false,
    }),
    junit: Flags.string({
      description:
        'Also write the run as JUnit XML to this file, for CI systems: a test suite per task, with a test case for the task and one for each check it made (infra_test).',
    }),
    'force-handlers': Flags.boolean({
      description: 'Run notified handlers even when the run failed (by default they run only after a successful run).',
      default: false,
    }),
    'delegate-to': Flags.string({
      description:
        "Run every task's body on these agents or SSH hosts (comma-separated; several fan each task out), overriding the workflow's :delegate_to. Agents need a master (--master).",
    }),
    inventory: Flags.string({
      char: 'i',
      description:
        'An inventory (YAML) of hosts reached over SSH: :delegate_to and target = "..." accept its host and group names.',
    }),
    limit: Flags.string({
      description: 'Act only on these inventory hosts or groups (comma-separated); needs -i.',
    }),
    forks: Flags.integer({
      description: 'How many SSH hosts a fan-out reaches at once.',
      default: 32,
      min: 1,
    }),
    ...masterFlags,
  };
  static override examples = [
    '<%= config.bin %> workflow run hello_world_workflow -f examples/hello-world.sloth',
    '<%= config.bin %> run ci -f pipeline.sloth -v values.yaml --set image.tag=v2 --param env=prod',
    '<%= config.bin %> workflow run -f pipeline.sloth --output json',
    '<%= config.bin %> workflow run web -f configure.sloth --check --diff',
    '<%= config.bin %> workflow run validate -f checks.sloth --junit reports/checks.xml',
    '<%= config.bin %> workflow run production -f infra.sloth --lock-timeout 5m',
    '<%= config.bin %> workflow run deploy -f deploy.sloth --master prod --delegate-to web-01,web-02',
    '<%= config.bin %> workflow run configure -f site.sloth -i inventory.yaml --limit web --forks 10',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WorkflowRun);
    const { runWorkflowCommand } = await import('../../run-workflow-command.js');
    await runWorkflowCommand({
      name: args.name,
      file: flags.file,
      values: flags.values,
      set: flags.set,
      param: flags.param,
      'load-timeout': flags['load-timeout'],
      output: flags.output === 'json' ? 'json' : 'basic',
      debug: flags.debug,
      dataDir: flags['data-dir'],
      stack: flags.stack,
      lockTimeout: flags['lock-timeout'],
      hooksTimeout: flags['hooks-timeout'],
      delegateTo: flags['delegate-to'],
      check: flags.check,
      diff: flags.diff,
      forceHandlers: flags['force-handlers'],
      junit: flags.junit,
      inventory: flags.inventory,
      limit: flags.limit,
      forks: flags.forks,
      master: { master: flags.master, token: flags.token, 'token-file': flags['token-file'], ca: flags.ca },
    });
  }
}
