/** Modules reachable as fields of another module too (`data.json` is the `json` module): parent -> children. */
export const NESTED_MODULES: Readonly<Record<string, readonly string[]>> = { data: ['json', 'yaml'] };

/** The Lua that sets those fields, once every module is bound. */
export const NESTED_MODULES_LUA = Object.entries(NESTED_MODULES)
  .map(([parent, children]) => `if m.${parent} then ${children.map((c) => `m.${parent}.${c} = m.${c}`).join('; ')} end`)
  .join('\n');
