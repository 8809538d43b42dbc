import { argJsonSchema, type ModuleSpec, moduleDocText } from '@sloth/core/internal';
import { isLuaIdentifier } from './render-stubs.js';
import type { StubClass, StubField, StubFile, StubFunction, StubParam, StubReturn } from './stub-model.js';

type JsonSchema = Record<string, unknown>;

/**
 * A module as a stub file: a global table (and `require("name")`) whose functions carry the module's own docs and
 * examples, with parameter types from their zod schemas (`any` where a schema says nothing a type can).
 */
export function moduleStubs(module: ModuleSpec, extraFields: readonly string[] = []): StubFile {
  const classes: StubClass[] = [];
  const functions: StubFunction[] = Object.entries(module.functions).map(([name, spec]) => {
    const params: StubParam[] = spec.args.map((a) => ({
      name: a.name,
      type: luaTypeOf(argJsonSchema(a.schema), `sloth.${module.name}.${name}.${a.name}`, classes),
      optional: a.schema.safeParse(undefined).success,
      doc: a.doc,
    }));
    if (module.targetable) acceptTarget(params, classes);
    return { name, doc: spec.doc, params, returns: returnsOf(spec.returns), examples: spec.examples };
  });
  const fields: StubField[] = extraFields.map((f) => ({ name: f, type: `sloth.module.${f}`, doc: `The ${f} module.` }));
  classes.push({ name: `sloth.module.${module.name}`, doc: moduleDocText(module), global: module.name, functions, fields });
  return { module: module.name, classes };
}

/**
 * A targetable module's functions take `target = "AGENT"` in their last options table, or in a trailing table of its
 * own: the options class gets the field, or the function an extra optional parameter.
 */
function acceptTarget(params: StubParam[], classes: StubClass[]): void {
  const last = params.at(-1);
  const target = { name: 'target', type: 'string', optional: true, doc: 'the agent (or SSH host) the call runs on' };
  const options = last && classes.find((c) => c.name === last.type);
  if (options) {
    const fields = options.fields ?? [];
    // Named fields first, the catch-all `[string]` last.
    const at = fields.findIndex((f) => f.name === '[string]');
    if (!fields.some((f) => f.name === 'target')) fields.splice(at < 0 ? fields.length : at, 0, target);
    return;
  }
  if (last && (last.type === 'any' || last.type === 'table')) return;
  params.push({ name: 'on', type: '{ target: string }', optional: true, doc: 'runs the call on that agent (or SSH host)' });
}

/**
 * A JSON Schema (zod's, as a caller writes the value) as a LuaLS type. An object with named properties becomes a
 * class called `name`, added to `classes`.
 */
export function luaTypeOf(schema: JsonSchema, name: string, classes: StubClass[]): string {
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) return unionOf(union.map((s, i) => luaTypeOf(s, `${name}${i + 1}`, classes)));
  if (Array.isArray(schema.enum)) return unionOf(schema.enum.map(literal));
  if ('const' in schema) return literal(schema.const);
  if (Array.isArray(schema.type)) return unionOf(schema.type.map((t) => luaTypeOf({ ...schema, type: t }, name, classes)));
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'nil';
    case 'array': {
      const items = schema.items as JsonSchema | undefined;
      const item = items ? luaTypeOf(items, `${name}.item`, classes) : 'any';
      return item.includes('|') || item.includes(' ') ? `(${item})[]` : `${item}[]`;
    }
    case 'object':
      return objectType(schema, name, classes);
    default:
      return 'any';
  }
}

function objectType(schema: JsonSchema, name: string, classes: StubClass[]): string {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const extra = schema.additionalProperties;
  const extraType =
    typeof extra === 'object' && extra !== null ? luaTypeOf(extra as JsonSchema, `${name}.value`, classes) : 'any';
  const names = Object.keys(properties);
  if (names.length === 0) return extra === false ? 'table' : `table<string, ${extraType}>`;
  const required = new Set((schema.required ?? []) as string[]);
  const fields: StubField[] = [];
  for (const key of names) {
    const type = luaTypeOf(properties[key] as JsonSchema, `${name}.${key}`, classes);
    const doc = (properties[key] as JsonSchema).description;
    if (isLuaIdentifier(key))
      fields.push({ name: key, type, optional: !required.has(key), doc: typeof doc === 'string' ? doc : undefined });
  }
  // Keys that are no Lua names, or keys beyond the named ones, are still allowed.
  if (extra !== false || fields.length < names.length) fields.push({ name: '[string]', type: extraType });
  classes.push({ name, fields });
  return name;
}

function literal(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null ? 'nil' : 'any';
}

function unionOf(types: string[]): string {
  const unique = [...new Set(types)];
  return unique.includes('any') ? 'any' : unique.join('|');
}

/**
 * A function's `returns` text as a LuaLS type: its first word says the type ("string", "table: success, ...",
 * "{ changed, ... }", "list of strings", "nothing"); the whole text is the description.
 */
export function returnsOf(text: string): StubReturn[] {
  const t = text.trim().toLowerCase();
  if (t === 'nothing' || t === '') return [];
  const type = /^string or nil\b/.test(t)
    ? 'string?'
    : /^(true|false|boolean)\b/.test(t)
      ? 'boolean'
      : /^string\b/.test(t)
        ? 'string'
        : /^integer\b/.test(t)
          ? 'integer'
          : /^number\b/.test(t)
            ? 'number'
            : /^(table|list|handle|wait group)\b|^\{/.test(t)
              ? 'table'
              : 'any';
  return [{ type, doc: text }];
}
