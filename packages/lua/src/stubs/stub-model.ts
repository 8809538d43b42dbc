// What editor stubs are made of, before they are LuaLS annotation text: the workflow language and the modules are
// both turned into these, and one renderer (render-stubs.ts) writes them.

/** A parameter: `type` is a LuaLS type expression (`string`, `string[]`, `sloth.Task|string`). */
export interface StubParam {
  name: string;
  type: string;
  optional?: boolean | undefined;
  doc?: string | undefined;
}

export interface StubReturn {
  type: string;
  doc?: string | undefined;
}

export interface StubFunction {
  name: string;
  doc: string;
  params: StubParam[];
  returns: StubReturn[];
  examples?: string[] | undefined;
}

export interface StubField {
  name: string;
  type: string;
  optional?: boolean | undefined;
  doc?: string | undefined;
}

/**
 * A class: a table type with fields and functions. With `global`, it is also the type of that global table (a module,
 * `workflow`); otherwise its functions are methods declared on a local (`function Task:command(cmd) end`).
 */
export interface StubClass {
  name: string;
  doc?: string | undefined;
  fields?: StubField[] | undefined;
  functions?: StubFunction[] | undefined;
  /** `:` for methods (task:command(...)), `.` for plain functions (fs.write(...)). */
  call?: ':' | '.' | undefined;
  /** Other ways to call the table itself (`workflow("name")`), as `fun(...)` types. */
  overloads?: string[] | undefined;
  global?: string | undefined;
}

/** `---@alias NAME TYPE`. */
export interface StubAlias {
  name: string;
  type: string;
  doc?: string | undefined;
}

/** A global variable (`values`, with `value` a Lua literal of its type: `{}`, `false`) or function (`task`). */
export type StubGlobal =
  | { kind: 'variable'; name: string; type: string; value: string; doc: string }
  | ({ kind: 'function' } & StubFunction);

/** One stub file: a `---@meta` file an editor reads, never runs. `module` makes `require("name")` resolve to it. */
export interface StubFile {
  module?: string | undefined;
  aliases?: StubAlias[] | undefined;
  classes?: StubClass[] | undefined;
  globals?: StubGlobal[] | undefined;
}
