import { describe, expect, it } from 'vitest';
import { SlothError } from './errors.js';
import {
  arg,
  defineModule,
  fn,
  luaTypeName,
  MultipleReturns,
  moduleAlias,
  parseArgs,
  returnsMany,
  signature,
  z,
} from './module-sdk.js';

const run = fn({
  doc: 'Runs a command.',
  returns: 'result table',
  args: [
    arg('cmd', z.string(), 'the command line'),
    arg(
      'opts',
      z
        .object({
          cwd: z.string().optional(),
          timeout: z.number().optional(),
          env: z.record(z.string(), z.string()).optional(),
          retry: z.object({ count: z.number().int(), on: z.array(z.string()).optional() }).optional(),
        })
        .optional(),
    ),
  ],
  run: ([cmd, opts]) => ({ cmd, opts }),
});

function argError(raw: unknown[], spec = run, module = 'exec', name = 'run'): SlothError {
  try {
    parseArgs(module, name, spec, raw);
  } catch (err) {
    expect(err).toBeInstanceOf(SlothError);
    expect((err as SlothError).code).toBe('invalid_argument');
    return err as SlothError;
  }
  throw new Error('expected parseArgs to throw');
}

describe('parseArgs', () => {
  it('returns the parsed values in order', () => {
    expect(parseArgs('exec', 'run', run, ['ls -l', { cwd: '/tmp', env: { A: 'b' } }])).toEqual([
      'ls -l',
      { cwd: '/tmp', env: { A: 'b' } },
    ]);
  });

  it('names the argument, its position and the Lua types on a type mismatch', () => {
    const err = argError([42]);
    expect(err.message).toBe('exec.run: argument #1 (cmd): expected string, got number');
    expect(err.hint).toBe('usage: exec.run(cmd, opts?)');
  });

  it('reports a missing required argument as nil', () => {
    expect(argError([]).message).toBe('exec.run: argument #1 (cmd): expected string, got nil');
    expect(argError([null]).message).toBe('exec.run: argument #1 (cmd): expected string, got nil');
  });

  it('uses Lua type names: table, boolean, function', () => {
    expect(argError([{}]).message).toBe('exec.run: argument #1 (cmd): expected string, got table');
    expect(argError([['a']]).message).toBe('exec.run: argument #1 (cmd): expected string, got table');
    expect(argError([true]).message).toBe('exec.run: argument #1 (cmd): expected string, got boolean');
    expect(argError([() => 1]).message).toBe('exec.run: argument #1 (cmd): expected string, got function');
    expect(argError(['x', 5]).message).toBe('exec.run: argument #2 (opts): expected table, got number');
  });

  it('names the nested field that is wrong', () => {
    expect(argError(['x', { timeout: '5s' }]).message).toBe(
      "exec.run: argument #2 (opts) field 'timeout': expected number, got string",
    );
    expect(argError(['x', { env: { HOME: 1 } }]).message).toBe(
      "exec.run: argument #2 (opts) field 'env.HOME': expected string, got number",
    );
    expect(argError(['x', { retry: { count: 'three' } }]).message).toBe(
      "exec.run: argument #2 (opts) field 'retry.count': expected number, got string",
    );
    expect(argError(['x', { retry: {} }]).message).toBe(
      "exec.run: argument #2 (opts) field 'retry.count': expected number, got nil",
    );
  });

  it('numbers list elements from 1 in field paths, as Lua does', () => {
    const err = argError(['x', { retry: { count: 1, on: ['timeout', 7] } }]);
    expect(err.message).toBe("exec.run: argument #2 (opts) field 'retry.on.2': expected string, got number");
  });

  it('accepts optional arguments left out or given as nil', () => {
    expect(parseArgs('exec', 'run', run, ['ls'])).toEqual(['ls', undefined]);
    expect(parseArgs('exec', 'run', run, ['ls', null])).toEqual(['ls', undefined]);
  });

  it('applies schema defaults', () => {
    const spec = fn({
      doc: '',
      returns: 'nil',
      args: [arg('mode', z.enum(['fast', 'safe']).default('safe'))],
      run: () => undefined,
    });
    expect(parseArgs('m', 'f', spec, [])).toEqual(['safe']);
    expect(parseArgs('m', 'f', spec, ['fast'])).toEqual(['fast']);
  });

  it('falls back to the schema message for non-type problems', () => {
    const spec = fn({ doc: '', returns: 'nil', args: [arg('mode', z.enum(['fast', 'safe']))], run: () => undefined });
    const err = argError(['slow'], spec, 'm', 'f');
    expect(err.message).toMatch(/^m\.f: argument #1 \(mode\): /);
    expect(err.message).toContain('fast');
  });

  it('rejects too many arguments', () => {
    const err = argError(['ls', {}, 'extra']);
    expect(err.message).toBe('exec.run: takes 2 argument(s), got 3');
    expect(err.hint).toBe('usage: exec.run(cmd, opts?)');
  });

  it('ignores trailing nils beyond the declared arguments', () => {
    expect(parseArgs('exec', 'run', run, ['ls', undefined, null, undefined])).toEqual(['ls', undefined]);
  });

  it('validates arguments before counting them', () => {
    expect(argError([1, {}, 'extra']).message).toContain('argument #1 (cmd)');
  });
});

describe('signature', () => {
  it('marks optional arguments with ?', () => {
    expect(signature('exec', 'run', run)).toBe('exec.run(cmd, opts?)');
  });

  it('treats arguments with defaults as optional and handles no arguments', () => {
    const spec = fn({ doc: '', returns: 'nil', args: [arg('a', z.number()), arg('b', z.number().default(1))], run: () => 0 });
    expect(signature('math', 'add', spec)).toBe('math.add(a, b?)');
    expect(signature('sys', 'now', fn({ doc: '', returns: 'number', args: [], run: () => 0 }))).toBe('sys.now()');
  });
});

describe('luaTypeName', () => {
  it.each([
    [undefined, 'nil'],
    [null, 'nil'],
    ['s', 'string'],
    [1, 'number'],
    [10n, 'number'],
    [true, 'boolean'],
    [{}, 'table'],
    [[], 'table'],
    [() => 1, 'function'],
  ])('%s -> %s', (value, name) => {
    expect(luaTypeName(value)).toBe(name);
  });
});

describe('defineModule, fn, returnsMany', () => {
  it('accepts lower-case identifiers as module names', () => {
    const mod = defineModule({ name: 'file_ops2', doc: 'files', functions: { run } });
    expect(mod.functions.run).toBe(run);
  });

  it.each(['Exec', '2fa', 'my-mod', '', 'a b'])('rejects the module name %j', (name) => {
    expect(() => defineModule({ name, doc: '', functions: {} })).toThrow(`invalid module name '${name}'`);
    expect(() => defineModule({ name, doc: '', functions: {} })).toThrow(
      expect.objectContaining({ name: 'SlothError', code: 'invalid_argument' }),
    );
  });

  it('fn keeps the spec and run receives the parsed arguments', () => {
    const ctx = {} as Parameters<typeof run.run>[1];
    expect(run.run(parseArgs('exec', 'run', run, ['ls']) as never, ctx)).toEqual({ cmd: 'ls', opts: undefined });
  });

  it('returnsMany wraps several values', () => {
    const r = returnsMany(true, { id: 1 });
    expect(r).toBeInstanceOf(MultipleReturns);
    expect(r.values).toEqual([true, { id: 1 }]);
  });
});

describe('parseArgs wording for unions and lists', () => {
  const spec = (schema: z.ZodType) => fn({ doc: 'd', args: [arg('x', schema)], returns: 'nil', run: () => undefined });

  it('names every option of a plain union', () => {
    expect(() => parseArgs('m', 'f', spec(z.union([z.string(), z.number()])), [true])).toThrow(
      'm.f: argument #1 (x): expected string or number, got boolean',
    );
  });

  it("keeps a union's own message", () => {
    expect(() => parseArgs('m', 'f', spec(z.union([z.string(), z.number()], { error: 'a name or an id' })), [true])).toThrow(
      'm.f: argument #1 (x): a name or an id',
    );
  });

  it('says "a list" when a list comes where a keyed table is expected', () => {
    expect(() => parseArgs('m', 'f', spec(z.object({ a: z.string() })), [['x']])).toThrow(
      'm.f: argument #1 (x): expected a table of key = value pairs, got a list',
    );
  });

  it('says integer for whole numbers', () => {
    expect(() => parseArgs('m', 'f', spec(z.number().int()), [1.5])).toThrow('expected integer, got number');
  });
});

describe('moduleAlias', () => {
  it('is the same module under another name: functions shared, docs pointing at the original, examples renamed', () => {
    const original = defineModule({
      name: 'http',
      doc: 'Web requests.',
      functions: { get: { ...run, examples: ['http.get("https://example.com")'] } },
      readResource: async () => undefined,
    });
    const alias = moduleAlias(original, 'net', 'Same as http.', 'file:///alias.js');
    expect([alias.name, alias.doc, alias.importFrom, alias.readResource]).toEqual([
      'net',
      'Same as http.',
      'file:///alias.js',
      original.readResource,
    ]);
    expect(alias.functions.get).toMatchObject({
      doc: 'Same as http.get.',
      returns: 'as http.get',
      examples: ['net.get("https://example.com")'],
      run: original.functions.get?.run,
    });
  });
});
