import { Args, Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { onMasterFlags, outputFlag } from '../../scheduler-cli/flags.js';

export default class SchedulerAdd extends SlothCommand {
  static override summary = 'Add a schedule: run a workflow file on a cron expression, or after another schedule succeeds.';
  static override description =
    'The expression has 5 fields (minute hour day month weekday), or 6 with seconds first, or is @hourly, @daily, @weekly, @monthly, @yearly or "@every 30s"; an invalid one is refused here. Each firing is a normal `workflow run` (recorded in its stack, with its events) started by the scheduler of the data directory: `sloth-runner scheduler run`, or `master start` on the same --data-dir. The file is read when each run starts, so editing it changes the next run. With --master the schedule is stored in that master\'s data directory and fired by it: the file (and -v files) are paths on the master\'s machine (a relative one is made absolute against this directory), and the master refuses one it cannot read.';
  static override args = { name: Args.string({ description: 'The schedule name.', required: true }) };
  static override flags = {
    cron: Flags.string({
      description: 'When it fires: "0 */6 * * *", "*/10 * * * * *" (seconds first), "@daily", "@every 30s".',
    }),
    file: Flags.string({ char: 'f', description: 'The .sloth workflow file.', required: true }),
    workflow: Flags.string({ description: 'The workflow to run (optional when the file defines only one).' }),
    stack: Flags.string({ description: 'The stack its runs are recorded in (default: the workflow name).' }),
    param: Flags.string({ description: 'A run parameter: --param key=value (repeatable).', multiple: true }),
    values: Flags.string({ char: 'v', description: 'A values.yaml file (repeatable).', multiple: true }),
    set: Flags.string({ description: 'Override one value: --set a.b=c (repeatable).', multiple: true }),
    timezone: Flags.string({ description: "The expression's timezone (IANA name: Europe/Berlin, UTC). Default: the machine's." }),
    'delegate-to': Flags.string({
      description: "Run every task's body on these agents (comma-separated), as `workflow run --delegate-to`.",
    }),
    overlap: Flags.string({
      description: 'When a run is still going at the next firing: skip it (recorded), allow both, or queue one to start after.',
      options: ['skip', 'allow', 'queue'],
      default: 'skip',
    }),
    'catch-up': Flags.string({
      description: 'Firings missed while no scheduler ran: one runs them once as soon as a scheduler is back, none skips them.',
      options: ['none', 'one'],
      default: 'one',
    }),
    timeout: Flags.string({ description: 'Stop a run that takes longer (SIGTERM, recorded as timeout): 30m, 2h.' }),
    jitter: Flags.string({ description: 'Start each firing up to this much later, at random (spreads load): 30s, 5m.' }),
    after: Flags.string({ description: 'Also run whenever this other schedule has a successful run (dependency-aware).' }),
    disabled: Flags.boolean({ description: 'Add it disabled (`scheduler enable NAME` to start it).', default: false }),
    output: outputFlag,
    ...onMasterFlags,
  };
  static override examples = [
    '<%= config.bin %> scheduler add backup --cron "0 */6 * * *" -f backup.sloth',
    '<%= config.bin %> scheduler add report --cron "30 7 * * 1-5" --timezone Europe/Berlin -f report.sloth --param env=prod',
    '<%= config.bin %> scheduler add probe --cron "@every 30s" -f probe.sloth --overlap skip --timeout 20s',
    '<%= config.bin %> scheduler add deploy_docs --after build_docs -f deploy.sloth',
    '<%= config.bin %> scheduler add backup --cron "@daily" -f /srv/flows/backup.sloth --master prod --token-file ~/.sloth/prod.token',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SchedulerAdd);
    const [{ addSchedule }, f] = await Promise.all([
      import('../../scheduler-cli/schedule-access.js'),
      import('../../scheduler-cli/format.js'),
    ]);
    const s = await addSchedule(flags, args.name, flags);
    if (flags.output === 'json') {
      this.log(JSON.stringify(f.scheduleJson(s), null, 2));
      return;
    }
    const next = s.enabled && s.fireAt !== undefined ? `, next run ${new Date(s.fireAt).toISOString()}` : '';
    this.log(`added schedule ${s.name}: ${f.whenText(s)}${s.enabled ? next : ' (disabled)'}`);
  }
}
