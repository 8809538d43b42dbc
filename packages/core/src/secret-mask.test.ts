import { afterEach, describe, expect, it } from 'vitest';
import { SlothError } from './errors.js';
import { clearSecrets, maskDeep, maskError, maskSecrets, registerSecret } from './secret-mask.js';

afterEach(() => clearSecrets());

describe('secret masking', () => {
  it('leaves everything as it is until a secret is registered', () => {
    const data = { a: ['x'] };
    expect(maskDeep(data)).toBe(data);
    expect(maskSecrets('hunter2')).toBe('hunter2');
  });

  it('masks a value, inside longer strings, in keys and nested values, as a copy', () => {
    registerSecret('s3cr3t-token');
    expect(maskSecrets('Bearer s3cr3t-token, again s3cr3t-token')).toBe('Bearer ***, again ***');
    const data = { url: 'https://x/s3cr3t-token', list: [{ deep: 's3cr3t-token' }], n: 1, keep: 'plain' };
    expect(maskDeep(data)).toEqual({ url: 'https://x/***', list: [{ deep: '***' }], n: 1, keep: 'plain' });
    expect(data.url).toBe('https://x/s3cr3t-token');
    const untouched = { keep: 'plain' };
    expect(maskDeep(untouched)).toBe(untouched);
    expect(maskDeep({ 's3cr3t-token': 1 })).toEqual({ '***': 1 });
  });

  it('masks the longer of two overlapping secrets whole, each line of a multi-line one, and its JSON form', () => {
    registerSecret('abcd');
    registerSecret('abcdefgh');
    expect(maskSecrets('xabcdefghx abcd')).toBe('x***x ***');
    registerSecret('line-one-secret\nline-two-secret');
    expect(maskSecrets('got line-two-secret')).toBe('got ***');
    registerSecret('quote"inside');
    expect(maskSecrets(JSON.stringify({ v: 'quote"inside' }))).toBe('{"v":"***"}');
  });

  it('masks an error message, hint and stack in place', () => {
    registerSecret('pa55word');
    const err = new SlothError('task_failed', 'login with pa55word failed', { hint: 'check pa55word' });
    maskError(err);
    expect(err.message).toBe('login with *** failed');
    expect(err.hint).toBe('check ***');
    expect(err.stack).not.toContain('pa55word');
  });

  it('stops masking a value once every registration of it is released', () => {
    const first = registerSecret('held-twice');
    const second = registerSecret('held-twice');
    first();
    first();
    expect(maskSecrets('held-twice')).toBe('***');
    second();
    expect(maskSecrets('held-twice')).toBe('held-twice');
  });
});
