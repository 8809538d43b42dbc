import { didYouMean } from './closest-name.js';
import { SlothError } from './errors.js';
import { validateHandlers } from './handlers.js';
import type { WorkflowSpec } from './workflow-model.js';

/** Checks names and dependencies; throws a `load` error naming the duplicate, missing task or cycle. */
export function validateWorkflow(workflow: WorkflowSpec): void {
  const limit = workflow.config.maxParallelTasks;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new SlothError('load', `workflow '${workflow.name}': max_parallel_tasks must be a whole number >= 1, got ${limit}`, {
      location: workflow.location,
    });
  }
  const names = new Set<string>();
  for (const task of workflow.tasks) {
    if (names.has(task.name)) {
      throw new SlothError('load', `workflow '${workflow.name}' has two tasks named '${task.name}'`, {
        location: task.location,
        hint: 'task names must be unique within a workflow',
      });
    }
    names.add(task.name);
  }
  for (const task of workflow.tasks) {
    for (const dep of task.dependsOn) {
      if (!names.has(dep)) {
        throw new SlothError(
          'load',
          `task '${task.name}' depends on '${dep}', which is not a task of workflow '${workflow.name}'${didYouMean(dep, names)}`,
          { location: task.location, hint: `tasks in this workflow: ${[...names].join(', ')}` },
        );
      }
    }
  }
  validateHandlers(workflow);
  const cycle = findCycle(workflow);
  if (cycle) {
    throw new SlothError('load', `dependency cycle in workflow '${workflow.name}': ${cycle.join(' -> ')}`, {
      hint: 'remove one of these depends_on links',
    });
  }
}

function findCycle(workflow: WorkflowSpec): string[] | undefined {
  const deps = new Map(workflow.tasks.map((t) => [t.name, t.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const task of workflow.tasks) {
    const found = visit(task.name);
    if (found) return found;
  }
  return undefined;
}

/**
 * Groups tasks into levels: each level can run in parallel once the levels before it are done. Handlers are in no
 * level: they run after all of them, when notified.
 */
export function planLevels(workflow: WorkflowSpec): string[][] {
  validateWorkflow(workflow);
  const level = new Map<string, number>();
  const byName = new Map(workflow.tasks.map((t) => [t.name, t]));
  const depth = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    const task = byName.get(name);
    const d = task && task.dependsOn.length > 0 ? 1 + Math.max(...task.dependsOn.map(depth)) : 0;
    level.set(name, d);
    return d;
  };
  const levels: string[][] = [];
  for (const task of workflow.tasks) {
    if (task.handler) continue;
    const d = depth(task.name);
    const names = levels[d] ?? [];
    names.push(task.name);
    levels[d] = names;
  }
  return levels;
}
