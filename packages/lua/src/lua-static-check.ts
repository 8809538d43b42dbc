import { didYouMean } from '@sloth/core';
import { type LuaFacts, scanLua } from './lua-scope-walk.js';

/** The names a workflow file starts with: every global of its Lua state, and each module's fields. */
export interface KnownNames {
  globals: Set<string>;
  modules: Map<string, Set<string>>;
}

/** One mistake found without running the file. */
export interface StaticIssue {
  line: number;
  message: string;
}

/** Bounds the files `require` pulls in that are read for the globals they define (a chain of requires). */
const MAX_REQUIRED_FILES = 100;

/**
 * Finds, without running it, what would fail when a file runs: globals that nothing defines (`pkg.install` with no
 * module `pkg`, a task list item that is a misspelled variable, which Lua drops silently at the end of a list) and
 * functions that a module does not have (`fs.wrte`). A global is defined when the Lua state has it (the standard
 * library, the workflow language, the modules, values, params) or when the file, or a Lua file it requires by a
 * literal name, assigns it anywhere. `readRequired` gives a required file's text (undefined: not found, which
 * `require` itself reports). A file that reaches globals dynamically (`_ENV`, `_G[k] = v`, `load`) is not checked
 * for undefined globals. Text that does not parse gives no issues: Lua's own syntax error says more when it runs.
 */
export function checkLuaSource(
  text: string,
  known: KnownNames,
  readRequired: (name: string) => string | undefined,
): StaticIssue[] {
  const facts = scanLua(text);
  if (!facts) return [];
  const defined = new Set([...known.globals, ...facts.globalWrites]);
  const fieldWrites = new Map(facts.fieldWrites);
  const dynamic = addRequiredGlobals(facts, known, readRequired, defined, fieldWrites);
  const issues: StaticIssue[] = [];
  if (!dynamic) {
    // Suggestions leave out the runtime's internals (`__sloth`).
    const suggestable = [...defined].filter((n) => !n.startsWith('__'));
    for (const read of facts.reads) {
      if (defined.has(read.name)) continue;
      const what = read.field
        ? `${read.name}.${read.field}: '${read.name}'`
        : read.list
          ? `'${read.name}' in a ${read.list} list`
          : `'${read.name}'`;
      issues.push({
        line: read.line,
        message: `${what} is not defined: no local, global or module has that name${didYouMean(read.name, [...read.locals, ...suggestable])}`,
      });
    }
  }
  for (const { global, field, line } of facts.fieldReads) {
    const fields = known.modules.get(global);
    // A module the file replaces (`fs = {...}`) is its own business.
    if (!fields || facts.globalWrites.has(global) || fields.has(field) || fieldWrites.get(global)?.has(field)) continue;
    issues.push({ line, message: `unknown function ${global}.${field}${didYouMean(field, fields)}` });
  }
  const seen = new Set<string>();
  return issues
    .sort((a, b) => a.line - b.line)
    .filter((i) => {
      const key = `${i.line}\0${i.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/**
 * Adds the globals and module fields that the Lua files `facts` requires (and those they require) define. True when
 * one of them cannot be followed: it is not found, does not parse, or reaches globals dynamically.
 */
function addRequiredGlobals(
  facts: LuaFacts,
  known: KnownNames,
  readRequired: (name: string) => string | undefined,
  defined: Set<string>,
  fieldWrites: Map<string, Set<string>>,
): boolean {
  let dynamic = facts.dynamicGlobals;
  const queue = [...facts.requires];
  const read = new Set<string>();
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (known.modules.has(name) || read.has(name)) continue;
    if (read.size >= MAX_REQUIRED_FILES) return true;
    read.add(name);
    const text = readRequired(name);
    const required = text === undefined ? undefined : scanLua(text);
    if (!required) return true;
    dynamic ||= required.dynamicGlobals;
    for (const g of required.globalWrites) defined.add(g);
    for (const [g, fields] of required.fieldWrites) fieldWrites.set(g, new Set([...(fieldWrites.get(g) ?? []), ...fields]));
    queue.push(...required.requires);
  }
  return dynamic;
}
