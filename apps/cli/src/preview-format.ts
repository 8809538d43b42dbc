import { formatDuration, planLevels, type TaskSpec, type WorkflowSpec } from '@sloth/core/internal';
import { pc } from './render/colors.js';

/** The plan of a workflow as data: levels of task names plus each task's settings. */
export function previewData(workflow: WorkflowSpec) {
  const levels = planLevels(workflow);
  const byName = new Map(workflow.tasks.map((t) => [t.name, t]));
  return {
    workflow: workflow.name,
    max_parallel_tasks: workflow.config.maxParallelTasks ?? null,
    fail_fast: workflow.config.failFast,
    timeout_ms: workflow.config.timeoutMs ?? null,
    levels: levels.map((names) =>
      names.map((name) => {
        const t = byName.get(name) as TaskSpec;
        return {
          name,
          depends_on: t.dependsOn,
          timeout_ms: t.timeoutMs ?? null,
          retries: t.retry.retries,
          retry_strategy: t.retry.strategy,
          conditional: t.runIf !== undefined,
          notify: t.notify ?? [],
        };
      }),
    ),
    handlers: workflow.tasks.filter((t) => t.handler).map((t) => t.name),
  };
}

/** The plan of a workflow for people. */
export function formatPreview(workflow: WorkflowSpec): string {
  const data = previewData(workflow);
  const lines = [
    `${pc.bold(`Workflow ${workflow.name}`)}${workflow.version ? ` v${workflow.version}` : ''}${workflow.description ? ` — ${workflow.description}` : ''}`,
    pc.dim(
      `${workflow.tasks.length} tasks in ${data.levels.length} levels; ${
        data.max_parallel_tasks ? `at most ${data.max_parallel_tasks} at once` : 'no parallelism limit'
      }; fail_fast ${data.fail_fast ? 'on' : 'off'}${data.timeout_ms ? `; timeout ${formatDuration(data.timeout_ms)}` : ''}`,
    ),
  ];
  data.levels.forEach((level, i) => {
    lines.push(`${pc.cyan(`Level ${i + 1}`)}${level.length > 1 ? pc.dim(` (${level.length} in parallel)`) : ''}`);
    for (const t of level) {
      const notes = [
        t.depends_on.length > 0 ? `after ${t.depends_on.join(', ')}` : '',
        t.timeout_ms ? `timeout ${formatDuration(t.timeout_ms)}` : '',
        t.retries > 0 ? `${t.retries} retries (${t.retry_strategy})` : '',
        t.conditional ? 'run_if' : '',
        t.notify.length > 0 ? `notifies ${t.notify.join(', ')}` : '',
      ].filter(Boolean);
      lines.push(`  • ${t.name}${notes.length > 0 ? pc.dim(`  ${notes.join('; ')}`) : ''}`);
    }
  });
  if (data.handlers.length > 0) {
    lines.push(
      `${pc.cyan('Handlers')}${pc.dim(' (after the rest, each once, only when notified by a task that changed something)')}`,
    );
    for (const name of data.handlers) lines.push(`  • ${name}`);
  }
  return lines.join('\n');
}
