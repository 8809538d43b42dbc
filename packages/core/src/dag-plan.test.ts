import { describe, expect, it } from 'vitest';
import { planLevels, validateWorkflow } from './dag-plan.js';
import { defineTask, defineWorkflow } from './define.js';
import { SlothError } from './errors.js';
import type { TaskSpec, WorkflowSpec } from './workflow-model.js';

const t = (name: string, dependsOn: string[] = [], location?: string): TaskSpec => ({
  ...defineTask({ name, run: async () => {}, dependsOn }),
  location,
});
const wf = (...tasks: TaskSpec[]): WorkflowSpec => defineWorkflow({ name: 'ci', tasks });

function loadError(workflow: WorkflowSpec): SlothError {
  try {
    validateWorkflow(workflow);
  } catch (err) {
    expect(err).toBeInstanceOf(SlothError);
    expect((err as SlothError).code).toBe('load');
    return err as SlothError;
  }
  throw new Error('expected validateWorkflow to throw');
}

describe('planLevels', () => {
  it('puts independent tasks in one level', () => {
    expect(planLevels(wf(t('a'), t('b'), t('c')))).toEqual([['a', 'b', 'c']]);
  });

  it('orders a chain into one level per task', () => {
    expect(planLevels(wf(t('c', ['b']), t('b', ['a']), t('a')))).toEqual([['a'], ['b'], ['c']]);
  });

  it('places a task one level after its deepest dependency (diamond)', () => {
    const levels = planLevels(
      wf(t('fetch'), t('lint', ['fetch']), t('compile', ['fetch']), t('package', ['compile']), t('ship', ['lint', 'package'])),
    );
    expect(levels).toEqual([['fetch'], ['lint', 'compile'], ['package'], ['ship']]);
  });

  it('keeps declaration order inside a level', () => {
    expect(planLevels(wf(t('z'), t('y'), t('x', ['z']), t('w', ['y'])))).toEqual([
      ['z', 'y'],
      ['x', 'w'],
    ]);
  });

  it('plans an empty workflow as no levels', () => {
    expect(planLevels(wf())).toEqual([]);
  });

  it('validates before planning', () => {
    expect(() => planLevels(wf(t('a', ['b']), t('b', ['a'])))).toThrow(/dependency cycle/);
  });
});

describe('validateWorkflow', () => {
  it('accepts a valid graph', () => {
    expect(() => validateWorkflow(wf(t('a'), t('b', ['a']), t('c', ['a', 'b'])))).not.toThrow();
  });

  it('rejects two tasks with the same name, with the location of the second', () => {
    const err = loadError(wf(t('build', [], 'ci.sloth:3'), t('test'), t('build', [], 'ci.sloth:9')));
    expect(err.message).toBe("workflow 'ci' has two tasks named 'build'");
    expect(err.location).toBe('ci.sloth:9');
    expect(err.hint).toMatch(/unique/);
  });

  it('names a missing dependency and suggests the nearest task', () => {
    const err = loadError(wf(t('build'), t('test', ['biuld'], 'ci.sloth:12')));
    expect(err.message).toContain("task 'test' depends on 'biuld'");
    expect(err.message).toContain("which is not a task of workflow 'ci'");
    expect(err.message).toContain("(did you mean 'build'?)");
    expect(err.location).toBe('ci.sloth:12');
    expect(err.hint).toBe('tasks in this workflow: build, test');
  });

  it('gives no suggestion when nothing is close', () => {
    const err = loadError(wf(t('build'), t('test', ['kubernetes_deploy'])));
    expect(err.message).toContain("depends on 'kubernetes_deploy'");
    expect(err.message).not.toContain('did you mean');
  });

  it('names a two-task cycle', () => {
    const err = loadError(wf(t('a', ['b']), t('b', ['a'])));
    expect(err.message).toBe("dependency cycle in workflow 'ci': a -> b -> a");
    expect(err.hint).toMatch(/remove one of these depends_on/);
  });

  it('names a longer cycle, without the tasks leading into it', () => {
    const err = loadError(wf(t('entry', ['x']), t('x', ['y']), t('y', ['z']), t('z', ['x'])));
    expect(err.message).toMatch(/: x -> y -> z -> x$/);
    expect(err.message).not.toContain('entry');
  });

  it('names a task that depends on itself', () => {
    const err = loadError(wf(t('solo', ['solo'])));
    expect(err.message).toMatch(/: solo -> solo$/);
  });

  it('reports a missing dependency before looking for cycles', () => {
    const err = loadError(wf(t('a', ['b']), t('b', ['a', 'ghost'])));
    expect(err.message).toContain("depends on 'ghost'");
  });
});

describe('max_parallel_tasks', () => {
  it('must be a whole number of at least 1', () => {
    for (const bad of [0, -1, 1.5]) {
      const w = defineWorkflow({ name: 'ci', tasks: [t('a')], maxParallelTasks: bad });
      expect(loadError(w).message).toBe(`workflow 'ci': max_parallel_tasks must be a whole number >= 1, got ${bad}`);
    }
    expect(() => validateWorkflow(defineWorkflow({ name: 'ci', tasks: [t('a')], maxParallelTasks: 1 }))).not.toThrow();
  });
});
