import { describe, expect, it } from 'vitest';
import { checkEventPattern, checkEventType, eventTypeMatches } from './event-types.js';

describe('event types', () => {
  it('accepts category.name types and refuses the rest with a hint', () => {
    for (const t of ['deploy.started', 'task.failed', 'custom.cache_warmed', 'a.b.c', 'backup.db-failed']) {
      expect(checkEventType(t, 'event.dispatch')).toBe(t);
    }
    for (const t of ['deploy', 'Deploy.Started', 'deploy.', '.started', 'deploy..x', 'deploy started', '', 'task.*']) {
      expect(() => checkEventType(t, 'event.dispatch')).toThrow(/event.dispatch: invalid event type/);
    }
  });

  it('patterns: exact, category wildcard, any', () => {
    for (const p of ['*', 'task.*', '*.failed', 'task.failed']) expect(checkEventPattern(p, 'hook')).toBe(p);
    for (const p of ['', 'task.', 'TASK.*', 'task failed'])
      expect(() => checkEventPattern(p, 'hook')).toThrow(/invalid event type pattern/);
  });

  it('matches exactly or by wildcard', () => {
    expect(eventTypeMatches('task.failed', 'task.failed')).toBe(true);
    expect(eventTypeMatches('task.failed', 'task.failed_twice')).toBe(false);
    expect(eventTypeMatches('task.*', 'task.failed')).toBe(true);
    expect(eventTypeMatches('task.*', 'taskx.failed')).toBe(false);
    expect(eventTypeMatches('task.*', 'workflow.failed')).toBe(false);
    expect(eventTypeMatches('*.failed', 'workflow.failed')).toBe(true);
    expect(eventTypeMatches('*.failed', 'workflow.completed')).toBe(false);
    expect(eventTypeMatches('*', 'anything.at_all')).toBe(true);
  });
});
