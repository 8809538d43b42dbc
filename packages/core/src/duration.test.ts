import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, timedOutAfter } from './duration.js';
import { SlothError } from './errors.js';

function thrown(fn: () => unknown): SlothError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SlothError);
    return err as SlothError;
  }
  throw new Error('expected a throw');
}

describe('parseDuration', () => {
  it.each([
    ['300ms', 300],
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['2h3m4s5ms', 7_384_005],
    ['1.5s', 1500],
    ['0.5h', 1_800_000],
    ['0s', 0],
    ['  45s  ', 45_000],
  ])('parses the Go-style string %j', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it('treats a bare number as seconds', () => {
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(5)).toBe(5000);
    expect(parseDuration(0.25)).toBe(250);
    expect(parseDuration(1.0004)).toBe(1000);
  });

  it('treats a numeric string as seconds', () => {
    expect(parseDuration('300')).toBe(300_000);
    expect(parseDuration('2.5')).toBe(2500);
  });

  it('keeps "ms" distinct from "m" followed by "s"', () => {
    expect(parseDuration('5ms')).toBe(5);
    expect(parseDuration('5m5s')).toBe(305_000);
  });

  it.each(['', '   ', 'abc', '5x', '5 minutes', '1h 30m', '1m30', 'ms', '-1s', '1.5.5s', 's5', '1h-30m', '.5s'])(
    'rejects %j with an invalid_argument error that quotes the input',
    (input) => {
      const err = thrown(() => parseDuration(input));
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toBe(`invalid duration "${input}"`);
      expect(err.hint).toMatch(/300ms/);
    },
  );

  it('names what was being parsed in the error', () => {
    const err = thrown(() => parseDuration('soon', "timeout of task 'build'"));
    expect(err.message).toBe(`invalid timeout of task 'build' "soon"`);
    expect(err.describe()).toContain('hint: use a number of seconds');
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %s', (input) => {
    const err = thrown(() => parseDuration(input, 'workflow timeout'));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toBe(`workflow timeout must be a non-negative number of seconds, got ${input}`);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [999.4, '999ms'],
    [1000, '1.00s'],
    [2300, '2.30s'],
    [12_345, '12.3s'],
    [60_000, '1m00s'],
    [245_000, '4m05s'],
    [3_600_000, '60m00s'],
  ])('formats %d ms as %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it('never shows 60 seconds in the minutes form', () => {
    // 1m59.7s rounds up to 2m00s, not "1m60s".
    expect(formatDuration(119_700)).toBe('2m00s');
    for (let ms = 60_000; ms < 600_000; ms += 250) expect(formatDuration(ms)).toMatch(/^\d+m[0-5]\ds$/);
  });
});

describe('timedOutAfter', () => {
  it.each([
    [250, 'timed out after 250ms'],
    [1000, 'timed out after 1s'],
    [1500, 'timed out after 1500ms'],
    [30_000, 'timed out after 30s'],
    [299.6, 'timed out after 300ms'],
  ])('words a limit of %d ms as %s', (ms, expected) => {
    expect(timedOutAfter(ms)).toBe(expected);
  });
});
