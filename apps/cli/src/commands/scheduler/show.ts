import { SlothCommand } from '../../base-command.js';
import { onMasterFlags, outputFlag, scheduleNameArg } from '../../scheduler-cli/flags.js';

export default class SchedulerShow extends SlothCommand {
  static override summary = 'Show a schedule: what it runs, when, its policies, and its latest runs.';
  static override args = { name: scheduleNameArg };
  static override flags = { output: outputFlag, ...onMasterFlags };
  static override examples = ['<%= config.bin %> scheduler show backup', '<%= config.bin %> scheduler show backup --master prod'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SchedulerShow);
    const [{ scheduleWithRuns }, f, { iso }, { ms }] = await Promise.all([
      import('../../scheduler-cli/schedule-access.js'),
      import('../../scheduler-cli/format.js'),
      import('../../stack-cli/format.js'),
      import('../../events-cli/format.js'),
    ]);
    const { s, runs } = await scheduleWithRuns(flags, args.name, 5);
    if (flags.output === 'json') {
      this.log(JSON.stringify({ ...f.scheduleJson(s, runs[0]), runs: runs.map(f.runJson) }, null, 2));
      return;
    }
    const lines = [
      `name:      ${s.name}`,
      `when:      ${f.whenText(s)}`,
      `enabled:   ${s.enabled ? 'yes' : 'no'}`,
      `next run:  ${f.nextRunText(s) || '-'}`,
      `file:      ${s.file}`,
      `workflow:  ${s.workflow ?? '(the only one in the file)'}`,
      `stack:     ${s.stack ?? '(the workflow name)'}`,
      `arguments: ${s.runArgs.length > 0 ? s.runArgs.join(' ') : '-'}`,
      `overlap:   ${s.overlap}`,
      `catch-up:  ${s.catchUp}`,
      `timeout:   ${s.timeoutMs === undefined ? 'none' : ms(s.timeoutMs)}`,
      `jitter:    ${s.jitterMs > 0 ? ms(s.jitterMs) : 'none'}`,
      `runs:      ${runs.length === 0 ? 'none yet' : ''}`,
      ...runs.map((r) => `  #${r.id} ${r.trigger} ${f.runStatusText(r.status)} ${iso(r.startedAt ?? r.dueAt)} ${f.runDetail(r)}`),
    ];
    this.log(lines.join('\n'));
  }
}
