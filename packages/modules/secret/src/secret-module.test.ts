import { clearSecrets, maskSecrets, type SecretStore, SlothError } from '@sloth/core/internal';
import { call, failure, testContext } from '@sloth/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { secretModule } from './secret-module.js';

afterEach(() => clearSecrets());

/** The contract as the store implements it, over a map (the store itself is tested in store-sqlite). */
function secrets(values: Record<string, string>): SecretStore {
  return {
    get: (name) => values[name],
    has: (name) => name in values,
    names: () => Object.keys(values).sort(),
  };
}

describe('secret module', () => {
  it('returns a value and masks it from then on; exists reads no value', async () => {
    const { ctx } = testContext({ services: { secrets: secrets({ api_token: 'tok-123456' }) } });
    expect(await call(secretModule, 'exists', ['api_token'], ctx)).toBe(true);
    expect(await call(secretModule, 'exists', ['other'], ctx)).toBe(false);
    expect(maskSecrets('tok-123456')).toBe('tok-123456');
    expect(await call(secretModule, 'get', ['api_token'], ctx)).toBe('tok-123456');
    expect(maskSecrets('Bearer tok-123456')).toBe('Bearer ***');
  });

  it('names an unknown secret, suggests a near one and says how to set it', async () => {
    const { ctx } = testContext({ services: { secrets: secrets({ api_token: 'x' }) } });
    const err = (await failure(call(secretModule, 'get', ['api_tokn'], ctx))) as SlothError;
    expect(err.message).toContain("secret.get: no secret 'api_tokn'");
    expect(err.message).toContain('api_token');
    expect(err.hint).toContain('sloth-runner secret set api_tokn');
    expect((await failure(call(secretModule, 'get', ['bad name'], ctx))).message).toContain('secret.get: argument #1 (name)');
  });

  it('says so when the caller has no data directory, and names itself in a store error', async () => {
    const { ctx } = testContext();
    expect((await failure(call(secretModule, 'get', ['a'], ctx))).message).toContain('secret.get: secrets need a data directory');
    const broken: SecretStore = {
      get: () => {
        throw new SlothError('usage', 'the passphrase does not open the secrets in /d', { hint: 'check it' });
      },
      has: () => true,
      names: () => [],
    };
    const { ctx: inGoroutine } = testContext({ services: { secrets: secrets({ a: 'x' }), insideGoroutine: true } });
    const refused = (await failure(call(secretModule, 'get', ['a'], inGoroutine))) as SlothError;
    expect(refused.message).toBe('secret.get is not available inside a goroutine');
    expect(refused.hint).toContain('pass it to the goroutine');
    const { ctx: bad } = testContext({ services: { secrets: broken } });
    const err = (await failure(call(secretModule, 'get', ['a'], bad))) as SlothError;
    expect(err.message).toBe('secret.get: the passphrase does not open the secrets in /d');
    expect(err.hint).toBe('check it');
  });
});
