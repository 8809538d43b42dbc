// The editor stubs, checked without lua-language-server (it is not installable here): every annotation line against
// the LuaLS grammar, every file run by the real Lua, and what they declare against the real Lua state of a workflow
// and against every name the repository's examples use.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from '@sloth/builtin-modules';
import { arg, createModuleContext, defineModule, fn, z } from '@sloth/core/internal';
import { describe, expect, it } from 'vitest';
import { LuaFactory } from 'wasmoon';
import { createSandbox } from '../lua-sandbox.js';
import { scanLua } from '../lua-scope-walk.js';
import { luaSourceText } from '../lua-source-text.js';
import { knownNames } from '../workflow-static-check.js';
import { luarcJson, luaStubFiles } from './lua-stubs.js';
import { checkAnnotations, parseType } from './luals-annotations.test-helper.js';
import { luaTypeOf, returnsOf } from './module-stubs.js';
import type { StubClass } from './stub-model.js';
import { workflowLanguageStubs } from './workflow-language.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/', import.meta.url));
const files = luaStubFiles(builtinModules);
const MODULES = new Set(builtinModules.map((m) => m.name));

/**
 * What the stubs declare when run by real Lua: the globals they add to a fresh state (whose own globals, the standard
 * library that LuaLS knows by itself, are `standard`), and each table's fields.
 */
async function declaredByStubs(): Promise<{ standard: Set<string>; globals: Set<string>; fields: Map<string, Set<string>> }> {
  const engine = await new LuaFactory().createEngine();
  try {
    const names = () =>
      new Set(
        (engine.doStringSync('local o = {} for k in pairs(_G) do o[#o + 1] = k end return table.concat(o, " ")') as string).split(
          ' ',
        ),
      );
    const before = names();
    for (const [name, text] of Object.entries(files)) {
      try {
        engine.doStringSync(text);
      } catch (err) {
        throw new Error(`${name} is not valid Lua: ${err}`);
      }
    }
    const globals = new Set([...names()].filter((n) => !before.has(n)));
    const fields = new Map<string, Set<string>>();
    for (const g of globals) {
      const list = engine.doStringSync(
        `local o = {} if type(${g}) == 'table' then for k in pairs(${g}) do o[#o + 1] = k end end return table.concat(o, " ")`,
      ) as string;
      fields.set(g, new Set(list.split(' ').filter(Boolean)));
    }
    // A module's fields that are other modules (data.json) are annotations only: @field lines of its class.
    for (const [, module, block] of Object.values(files)
      .join('\n')
      .matchAll(/---@class sloth\.module\.(\w+)\n((?:---@field .*\n)*)/g)) {
      for (const [, field] of (block as string).matchAll(/---@field (\w+)/g)) fields.get(module as string)?.add(field as string);
    }
    return { standard: before, globals, fields };
  } finally {
    engine.global.close();
  }
}

describe('LuaLS stubs', () => {
  it('are a language file and one file per module, every annotation well formed and every type declared', () => {
    expect(Object.keys(files)).toEqual(['sloth.lua', ...builtinModules.map((m) => `${m.name}.lua`)]);
    expect(checkAnnotations(files)).toEqual([]);
    expect(files['fs.lua']).toMatch(/^---@meta fs\n/);
    expect(files['fs.lua']).toMatch(/\nreturn fs\n$/);
  });

  it('the checker finds what LuaLS would reject', () => {
    const bad = {
      'x.lua': [
        '---@class sloth.A',
        '---@field ok string',
        '---@field missing',
        '---@param p? sloth.Nowhere the doc',
        '---@return string|',
        '---@pram x string',
        '---@ param x string',
        '--- @param x string',
      ].join('\n'),
    };
    expect(checkAnnotations(bad).map((i) => `${i.line} ${i.message.replace(/:.*/, '')}`)).toEqual([
      '3 @field needs a name',
      '5 @return has no valid type',
      '6 unknown annotation @pram',
      '7 unknown annotation @',
      '8 a description line that reads as an annotation',
      '4 type sloth.Nowhere is not declared by any @class or @alias',
    ]);
    expect(parseType('fun(a: string, b?: sloth.T): boolean rest')).toEqual({ end: 36, names: ['string', 'sloth.T', 'boolean'] });
  });

  it('run as Lua, and declare every global and module function a workflow has', async () => {
    const { standard: std, globals, fields } = await declaredByStubs();
    const runtime = await createSandbox({ modules: builtinModules, fallbackCtx: () => createModuleContext({ env: {} }) });
    try {
      const known = await knownNames(runtime, { signal: undefined, moduleCtx: createModuleContext({ env: {} }) });
      const missing = [...known.globals].filter((g) => !std.has(g) && !globals.has(g) && !g.startsWith('__'));
      expect(missing).toEqual([]);
      for (const [module, fns] of known.modules) {
        expect(
          [...fns].filter((f) => !fields.get(module)?.has(f)),
          module,
        ).toEqual([]);
      }
    } finally {
      runtime.close();
    }
  });

  it("declare every global and module function the repository's examples use", async () => {
    const { standard: std, globals, fields } = await declaredByStubs();
    const examples = readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.sloth'));
    expect(examples.length).toBeGreaterThan(20);
    const undeclared: string[] = [];
    for (const example of examples) {
      const facts = scanLua(luaSourceText(readFileSync(join(EXAMPLES, example), 'utf8')));
      expect(facts, `${example} parses`).toBeDefined();
      if (!facts) continue;
      for (const r of facts.reads) {
        if (!std.has(r.name) && !globals.has(r.name) && !facts.globalWrites.has(r.name))
          undeclared.push(`${example}:${r.line}: ${r.name}`);
      }
      for (const r of facts.fieldReads) {
        const module = MODULES.has(r.global) ? fields.get(r.global) : undefined;
        if (module && !module.has(r.field) && !facts.fieldWrites.get(r.global)?.has(r.field))
          undeclared.push(`${example}:${r.line}: ${r.global}.${r.field}`);
      }
    }
    expect(undeclared).toEqual([]);
  });

  it('describe exactly the task and workflow methods, table keys, config keys and task context the language has', async () => {
    const runtime = await createSandbox({ modules: builtinModules, fallbackCtx: () => createModuleContext({ env: {} }) });
    let language: Record<string, string[]>;
    try {
      const text = (await runtime.run(
        'local o = {} for k, v in pairs(__sloth.language()) do o[#o + 1] = k .. "=" .. table.concat(v, ",") end return table.concat(o, "\\n")',
        '=test',
        [],
        { signal: undefined, moduleCtx: createModuleContext({ env: {} }) },
      )) as string;
      language = Object.fromEntries(
        text.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).split(',')]),
      );
    } finally {
      runtime.close();
    }
    const classes = workflowLanguageStubs().classes ?? [];
    const cls = (name: string) => classes.find((c) => c.name === name) as StubClass;
    const fns = (name: string) => (cls(name).functions ?? []).map((f) => f.name).sort();
    const fieldNames = (name: string) => (cls(name).fields ?? []).map((f) => f.name).sort();
    expect(fns('sloth.Task')).toEqual(language.task_methods);
    expect(fieldNames('sloth.TaskTable')).toEqual(language.task_keys);
    expect(fns('sloth.Workflow')).toEqual(language.workflow_methods);
    expect(fieldNames('sloth.WorkflowOptions')).toEqual(language.workflow_options);
    expect(fieldNames('sloth.WorkflowConfig')).toEqual(language.workflow_config);
    expect(fieldNames('sloth.TaskContext')).toEqual(language.context);
    expect(fns('sloth.Workdir')).toEqual(language.context_workdir);
    expect(fns('sloth.AgentInfo')).toEqual(language.context_agent);
  });
});

describe('a module that is not built in', () => {
  it('gets its own stub file; a targetable one takes target in its options or a trailing table', () => {
    const greet = defineModule({
      name: 'greet',
      doc: 'Greets people.',
      targetable: true,
      functions: {
        hello: fn({ doc: 'Says hello.', args: [arg('name', z.string())], returns: 'string', run: () => 'hi' }),
        wave: fn({
          doc: 'Waves.',
          args: [arg('opts', z.object({ times: z.number().int() }).optional())],
          returns: 'nothing',
          run: () => undefined,
        }),
      },
    });
    const stub = luaStubFiles([greet])['greet.lua'] as string;
    expect(checkAnnotations({ 'greet.lua': stub })).toEqual([]);
    expect(stub).toContain(
      '---@param name string\n---@param on? { target: string } runs the call on that agent (or SSH host)\n---@return string # string\nfunction greet.hello(name, on) end',
    );
    expect(stub).toContain(
      '---@class sloth.greet.wave.opts\n---@field times integer\n---@field target? string the agent (or SSH host) the call runs on\n---@field [string] any\n',
    );
    expect(stub).toContain('---@param opts? sloth.greet.wave.opts\nfunction greet.wave(opts) end');
  });
});

describe('types from zod schemas', () => {
  const typeOf = (schema: z.ZodType) => {
    const classes: StubClass[] = [];
    const type = luaTypeOf(
      z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
      'sloth.m.f.opts',
      classes,
    );
    return { type, classes };
  };

  it('maps scalars, lists, unions, enums, records and objects', () => {
    expect(typeOf(z.string()).type).toBe('string');
    expect(typeOf(z.number().int()).type).toBe('integer');
    expect(typeOf(z.union([z.string(), z.array(z.string())])).type).toBe('string|string[]');
    expect(typeOf(z.array(z.union([z.string(), z.number()]))).type).toBe('(string|number)[]');
    expect(typeOf(z.enum(['a', 'b'])).type).toBe('"a"|"b"');
    expect(typeOf(z.record(z.string(), z.number())).type).toBe('table<string, number>');
    expect(typeOf(z.any()).type).toBe('any');
    const object = typeOf(z.object({ mode: z.string().optional(), 'x-y': z.number(), count: z.number() }));
    expect(object.type).toBe('sloth.m.f.opts');
    expect(object.classes).toEqual([
      {
        name: 'sloth.m.f.opts',
        fields: [
          { name: 'mode', type: 'string', optional: true, doc: undefined },
          { name: 'count', type: 'number', optional: false, doc: undefined },
          { name: '[string]', type: 'any' },
        ],
      },
    ]);
  });

  it('reads a return type from the returns text', () => {
    expect(returnsOf('nothing')).toEqual([]);
    expect(returnsOf('string or nil')[0]?.type).toBe('string?');
    expect(returnsOf('table: success, exit_code')[0]).toEqual({ type: 'table', doc: 'table: success, exit_code' });
    expect(returnsOf('{ changed, check_mode }')[0]?.type).toBe('table');
    expect(returnsOf('whatever fn returns')[0]?.type).toBe('any');
  });
});

describe('.luarc.json', () => {
  it('points at the stubs, Lua 5.4, and keeps the settings a project has', () => {
    expect(luarcJson('.sloth/types')).toEqual({
      runtime: { version: 'Lua 5.4' },
      workspace: { library: ['.sloth/types'], checkThirdParty: false },
    });
    const merged = luarcJson('.sloth/types', { diagnostics: { disable: ['lowercase-global'] }, workspace: { library: ['lib'] } });
    expect(merged).toEqual({
      diagnostics: { disable: ['lowercase-global'] },
      runtime: { version: 'Lua 5.4' },
      workspace: { library: ['lib', '.sloth/types'], checkThirdParty: false },
    });
    expect(luarcJson('.sloth/types', merged)).toEqual(merged);
  });
});
