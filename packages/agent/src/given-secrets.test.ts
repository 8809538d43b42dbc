import { clearSecrets, maskSecrets } from '@sloth/core/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { GivenSecrets } from './given-secrets.js';

afterEach(() => clearSecrets());

describe('GivenSecrets: the secrets a delegated task was sent', () => {
  it('holds and masks them while a task holds them, and forgets them when the last one lets go', () => {
    const given = new GivenSecrets();
    const first = given.hold({ api_token: 'tok-111111' });
    const second = given.hold({ api_token: 'tok-111111' });
    expect(given.get('api_token')).toBe('tok-111111');
    expect(given.has('api_token')).toBe(true);
    expect(maskSecrets('Bearer tok-111111')).toBe('Bearer ***');
    first();
    first();
    expect(given.get('api_token')).toBe('tok-111111');
    second();
    expect(given.has('api_token')).toBe(false);
    expect(given.names()).toEqual([]);
    expect(maskSecrets('Bearer tok-111111')).toBe('Bearer tok-111111');
  });

  it('says why a name it does not hold was not sent, and how to fix it', () => {
    const err = (() => {
      try {
        new GivenSecrets().get('db_password');
      } catch (e) {
        return e as Error & { hint?: string };
      }
      throw new Error('expected an error');
    })();
    expect(err.message).toBe("secret 'db_password' was not sent with this delegated task");
    expect(err.hint).toContain('secret.get("db_password")');
    expect(err.hint).toContain('sloth-runner secret set db_password');
  });
});
