import { describe, expect, it } from 'vitest';
import { errorCodeOf, errorMessage, SlothError } from './errors.js';

describe('SlothError', () => {
  it('carries a code, hint, location and cause', () => {
    const cause = new Error('root');
    const err = new SlothError('load', 'bad file', { hint: 'fix it', location: 'a.sloth:3', cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SlothError');
    expect(err.code).toBe('load');
    expect(err.hint).toBe('fix it');
    expect(err.location).toBe('a.sloth:3');
    expect(err.cause).toBe(cause);
  });

  it('describes itself with the hint on its own line', () => {
    expect(new SlothError('usage', 'bad flag', { hint: 'see --help' }).describe()).toBe('bad flag\n  hint: see --help');
    expect(new SlothError('usage', 'bad flag').describe()).toBe('bad flag');
  });
});

describe('errorMessage', () => {
  it('handles errors, strings, JSON values and unserialisable values', () => {
    expect(errorMessage(new Error('e'))).toBe('e');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage({ code: 1 })).toBe('{"code":1}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(errorMessage(cyclic)).toBe('[object Object]');
  });
});

describe('SlothError across copies of @sloth/core', () => {
  it("is recognised when another copy made it (a plugin's own dependencies), with its code and hint", () => {
    // What another copy's class produces: its own prototype chain, the shared brand.
    const brand = Symbol.for('sloth.SlothError');
    class OtherCopy extends Error {
      readonly code = 'network';
      readonly hint = 'check the URL';
    }
    Object.defineProperty(OtherCopy.prototype, brand, { value: true });
    const foreign = new OtherCopy('unreachable');
    expect(foreign instanceof SlothError).toBe(true);
    expect(errorCodeOf(foreign)).toBe('network');
    expect(new Error('plain') instanceof SlothError).toBe(false);
    expect(errorCodeOf(new Error('plain'))).toBe('task_failed');
    expect(new SlothError('load', 'x') instanceof SlothError).toBe(true);
  });
});
