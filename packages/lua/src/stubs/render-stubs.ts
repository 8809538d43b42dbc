import type { StubClass, StubField, StubFile, StubFunction, StubGlobal } from './stub-model.js';

const RESERVED = new Set(
  'and break do else elseif end false for function goto if in local nil not or repeat return then true until while'.split(' '),
);

/** A name usable as a Lua parameter: reserved words get a trailing `_`. */
export function luaName(name: string): string {
  return RESERVED.has(name) ? `${name}_` : name;
}

/** True when `name` can be written as `t.name` (else it needs `t["name"]`). */
export function isLuaIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name);
}

/** Writes a stub file as LuaLS annotations over empty Lua definitions: valid Lua that does nothing. */
export function renderStubFile(file: StubFile): string {
  const out: string[] = [file.module ? `---@meta ${file.module}` : '---@meta', ''];
  for (const a of file.aliases ?? []) out.push(...docLines(a.doc), `---@alias ${a.name} ${a.type}`, '');
  for (const c of file.classes ?? []) out.push(...renderClass(c), '');
  for (const g of file.globals ?? []) out.push(...renderGlobal(g), '');
  if (file.module) out.push(`return ${file.module}`, '');
  return out.join('\n');
}

function renderClass(c: StubClass): string[] {
  const out = [...docLines(c.doc), `---@class ${c.name}`];
  for (const f of c.fields ?? []) out.push(fieldLine(f));
  for (const o of c.overloads ?? []) out.push(`---@overload ${o}`);
  const functions = c.functions ?? [];
  if (!c.global && functions.length === 0) return out;
  const owner = c.global ?? localFor(c.name);
  out.push(c.global ? `${c.global} = {}` : `local ${owner} = {}`);
  for (const f of functions) out.push('', ...renderFunction(`${owner}${c.call ?? '.'}${f.name}`, f));
  return out;
}

function renderGlobal(g: StubGlobal): string[] {
  if (g.kind === 'function') return renderFunction(g.name, g);
  return [...docLines(g.doc), `---@type ${g.type}`, `${g.name} = ${g.value}`];
}

function renderFunction(qualified: string, f: StubFunction): string[] {
  const out = docLines(f.doc);
  if (f.examples && f.examples.length > 0) {
    out.push('---', '---```lua');
    for (const [i, e] of f.examples.entries()) {
      if (i > 0) out.push('---');
      out.push(...e.split('\n').map((l) => `---${l}`));
    }
    out.push('---```');
  }
  for (const p of f.params) out.push(`---@param ${luaName(p.name)}${p.optional ? '?' : ''} ${p.type}${tail(p.doc)}`);
  for (const r of f.returns) out.push(`---@return ${r.type}${r.doc ? ` # ${oneLine(r.doc)}` : ''}`);
  out.push(`function ${qualified}(${f.params.map((p) => luaName(p.name)).join(', ')}) end`);
  return out;
}

function fieldLine(f: StubField): string {
  return `---@field ${f.name}${f.optional ? '?' : ''} ${f.type}${tail(f.doc)}`;
}

/** `sloth.Task` -> `Task`: the local its methods are declared on. */
function localFor(className: string): string {
  return className.replace(/^.*\./, '').replace(/[^A-Za-z0-9_]/g, '_');
}

function docLines(doc: string | undefined): string[] {
  if (!doc) return [];
  return doc.split('\n').map((l) => (l.trim() === '' ? '---' : `--- ${l}`));
}

function tail(doc: string | undefined): string {
  return doc ? ` ${oneLine(doc)}` : '';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
