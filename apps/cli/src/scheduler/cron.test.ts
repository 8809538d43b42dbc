import { describe, expect, it } from 'vitest';
import { parseCron } from './cron.js';
import { nextFiring } from './next-firing.js';

const at = (iso: string) => Date.parse(iso);

describe('parseCron', () => {
  it('reads 5 fields, 6 with seconds first, and the @ shortcuts', () => {
    expect(parseCron('0 */6 * * *', 'UTC').next(at('2026-01-01T07:30:00Z'))).toBe(at('2026-01-01T12:00:00Z'));
    expect(parseCron('*/10 * * * * *', 'UTC').next(at('2026-01-01T00:00:05Z'))).toBe(at('2026-01-01T00:00:10Z'));
    expect(parseCron('@hourly', 'UTC').next(at('2026-01-01T07:30:00Z'))).toBe(at('2026-01-01T08:00:00Z'));
    expect(parseCron('@daily', 'UTC').next(at('2026-01-01T07:30:00Z'))).toBe(at('2026-01-02T00:00:00Z'));
  });

  it('gives the next firing strictly after the time asked', () => {
    const c = parseCron('*/2 * * * * *', 'UTC');
    expect(c.next(at('2026-01-01T00:00:02Z'))).toBe(at('2026-01-01T00:00:04Z'));
  });

  it('reads the expression in its timezone', () => {
    // 03:00 in Berlin is 02:00 UTC in winter.
    expect(parseCron('0 3 * * *', 'Europe/Berlin').next(at('2026-01-01T00:00:00Z'))).toBe(at('2026-01-01T02:00:00Z'));
  });

  it('@every steps on multiples of the interval, so every scheduler computes the same times', () => {
    const c = parseCron('@every 30s');
    expect(c.next(at('2026-01-01T00:00:05Z'))).toBe(at('2026-01-01T00:00:30Z'));
    expect(c.next(at('2026-01-01T00:00:30Z'))).toBe(at('2026-01-01T00:01:00Z'));
  });

  it('says what is wrong with an invalid expression or timezone', () => {
    expect(() => parseCron('61 * * * *')).toThrow(/invalid cron expression '61 \* \* \* \*': Invalid value for minute: 61/);
    expect(() => parseCron('* * * * * * *')).toThrow(/7 field\(s\), expected 5 or 6/);
    expect(() => parseCron('@sometimes')).toThrow(/invalid cron expression '@sometimes'/);
    expect(() => parseCron('@every 500ms')).toThrow(/at least 1s/);
    expect(() => parseCron('@every often')).toThrow(/invalid cron expression '@every often'/);
    expect(() => parseCron('@daily', 'Nowhere/City')).toThrow(/unknown timezone 'Nowhere\/City'/);
  });
});

describe('nextFiring', () => {
  it('starts a firing within its jitter after the time it is due', () => {
    const now = at('2026-01-01T00:00:00Z');
    for (let i = 0; i < 50; i++) {
      const { dueAt, fireAt } = nextFiring({ cron: '@hourly', timezone: 'UTC', jitterMs: 1000 }, now);
      expect(dueAt).toBe(at('2026-01-01T01:00:00Z'));
      expect((fireAt as number) - (dueAt as number)).toBeGreaterThanOrEqual(0);
      expect((fireAt as number) - (dueAt as number)).toBeLessThanOrEqual(1000);
    }
    expect(nextFiring({ cron: '@hourly', timezone: 'UTC', jitterMs: 0 }, now).fireAt).toBe(at('2026-01-01T01:00:00Z'));
  });
});
