import luaparse, {
  type Chunk,
  type Expression,
  type FunctionDeclaration,
  type Identifier,
  type IndexExpression,
  type MemberExpression,
  type Statement,
  type StringLiteral,
  type TableConstructorExpression,
} from 'luaparse';

/** A name read where no local of that name is visible: a global, or a mistake. */
export interface GlobalRead {
  name: string;
  line: number;
  /** The locals visible where it is read (for did-you-mean). */
  locals: string[];
  /** `install` in `pkg.install(...)`: the field read from it. */
  field?: string | undefined;
  /** The list it is an item of (`tasks = { a, b }`, `:depends_on({ a })`), where a nil is dropped silently. */
  list?: string | undefined;
}

/** `global.field` or `global:field(...)`, read. */
export interface FieldRead {
  global: string;
  field: string;
  line: number;
}

/** What a file does with globals, found without running it. */
export interface LuaFacts {
  reads: GlobalRead[];
  fieldReads: FieldRead[];
  /** Globals the file assigns anywhere (in any function). */
  globalWrites: Set<string>;
  /** Fields the file assigns on globals (`fs.helper = ...`, `function exec.mine() end`). */
  fieldWrites: Map<string, Set<string>>;
  /** Names given to `require` as literal strings. */
  requires: string[];
  /** The file reaches globals in ways no reading of its text can follow (`_ENV`, `_G[k] = v`, `load`). */
  dynamicGlobals: boolean;
}

/** Keys whose value is a list of tasks: `tasks = { a, b }`, `:tasks({ a })`, `depends_on = { a }`. */
const TASK_LISTS = new Set(['tasks', 'depends_on', 'notify']);
/** Calls that run code no reading of this text can see (rawset(_G, ...) hands `_G` itself: caught as such). */
const DYNAMIC_CALLS = new Set(['load', 'loadfile', 'dofile']);

/**
 * Parses Lua 5.4 and lists what it does with globals; undefined when it does not parse (Lua's own syntax error, when
 * the file runs, says why). luaparse reads Lua 5.3: the 5.4 attribs `<const>` and `<close>` it stops at are blanked
 * and the parse tried again.
 */
export function scanLua(text: string): LuaFacts | undefined {
  const chunk = parseLua(text);
  if (!chunk) return undefined;
  const walker = new ScopeWalker();
  walker.block(chunk.body);
  return walker.facts;
}

function parseLua(text: string): Chunk | undefined {
  let code = text;
  // Each retry blanks one attrib, so this ends.
  for (;;) {
    try {
      return luaparse.parse(code, { luaVersion: '5.3', locations: true, comments: false, scope: false });
    } catch (err) {
      const index = (err as { index?: unknown }).index;
      if (typeof index !== 'number') return undefined;
      const attrib = /<\s*(?:const|close)\s*>/y;
      attrib.lastIndex = index;
      const m = attrib.exec(code);
      if (!m) return undefined;
      code = code.slice(0, index) + ' '.repeat(m[0].length) + code.slice(index + m[0].length);
    }
  }
}

const lineOf = (node: { loc?: { start: { line: number } } | undefined }): number => node.loc?.start.line ?? 0;

class ScopeWalker {
  readonly facts: LuaFacts = {
    reads: [],
    fieldReads: [],
    globalWrites: new Set(),
    fieldWrites: new Map(),
    requires: [],
    dynamicGlobals: false,
  };
  private readonly scopes: Set<string>[] = [];

  /** Walks statements in a new scope that starts with `locals`; `then` runs inside it (a repeat's condition). */
  block(body: Statement[], locals: string[] = [], then?: () => void): void {
    this.scopes.push(new Set());
    for (const name of locals) this.declare(name);
    for (const s of body) this.statement(s);
    then?.();
    this.scopes.pop();
  }

  private isLocal(name: string): boolean {
    return this.scopes.some((s) => s.has(name));
  }

  private declare(name: string): void {
    // A local _ENV replaces the globals of the code in its scope.
    if (name === '_ENV') this.facts.dynamicGlobals = true;
    this.scopes.at(-1)?.add(name);
  }

  private statement(s: Statement): void {
    switch (s.type) {
      case 'LocalStatement':
        for (const e of s.init) this.expression(e);
        for (const v of s.variables) this.declare(v.name);
        return;
      case 'AssignmentStatement':
        for (const e of s.init) this.expression(e);
        for (const v of s.variables) this.assign(v);
        return;
      case 'CallStatement':
        this.expression(s.expression);
        return;
      case 'FunctionDeclaration':
        this.func(s);
        return;
      case 'ReturnStatement':
        for (const e of s.arguments) this.expression(e);
        return;
      case 'IfStatement':
        for (const clause of s.clauses) {
          if (clause.type !== 'ElseClause') this.expression(clause.condition);
          this.block(clause.body);
        }
        return;
      case 'WhileStatement':
        this.expression(s.condition);
        this.block(s.body);
        return;
      case 'DoStatement':
        this.block(s.body);
        return;
      case 'RepeatStatement':
        // `until` sees the body's locals.
        this.block(s.body, [], () => this.expression(s.condition));
        return;
      case 'ForNumericStatement':
        for (const e of [s.start, s.end, s.step]) if (e) this.expression(e);
        this.block(s.body, [s.variable.name]);
        return;
      case 'ForGenericStatement':
        for (const e of s.iterators) this.expression(e);
        this.block(
          s.body,
          s.variables.map((v) => v.name),
        );
        return;
      default:
        // labels, goto, break: no names
        return;
    }
  }

  /** The target of an assignment (or of `function a.b()`). */
  private assign(target: Identifier | MemberExpression | IndexExpression): void {
    if (target.type === 'Identifier') {
      if (this.isLocal(target.name)) return;
      if (target.name === '_ENV') this.facts.dynamicGlobals = true;
      this.facts.globalWrites.add(target.name);
      return;
    }
    const field = target.type === 'MemberExpression' ? target.identifier.name : stringValue(target.index);
    if (target.type === 'IndexExpression') this.expression(target.index);
    const base = target.base;
    if (base.type === 'Identifier' && !this.isLocal(base.name)) {
      if (base.name === '_G') {
        if (field === undefined) this.facts.dynamicGlobals = true;
        else this.facts.globalWrites.add(field);
        return;
      }
      this.read(base);
      if (field !== undefined) {
        const fields = this.facts.fieldWrites.get(base.name) ?? new Set<string>();
        fields.add(field);
        this.facts.fieldWrites.set(base.name, fields);
      }
      return;
    }
    this.expression(base);
  }

  private func(f: FunctionDeclaration): void {
    const params = f.parameters.flatMap((p) => (p.type === 'Identifier' ? [p.name] : []));
    const id = f.identifier;
    if (id?.type === 'Identifier') {
      // `local function f` sees itself; `function f` assigns f (a local one if visible, else a global).
      if (f.isLocal) this.declare(id.name);
      else this.assign(id);
    } else if (id) {
      this.assign(id);
      if (id.indexer === ':') params.unshift('self');
    }
    this.block(f.body, params);
  }

  private read(id: Identifier, field?: string, list?: string): void {
    if (this.isLocal(id.name)) return;
    if (id.name === '_ENV') this.facts.dynamicGlobals = true;
    this.facts.reads.push({ name: id.name, line: lineOf(id), locals: this.scopes.flatMap((s) => [...s]), field, list });
  }

  private expression(e: Expression): void {
    switch (e.type) {
      case 'Identifier':
        // `_G` handed around whole (rawset(_G, ...), setmetatable(_G, ...)) can define anything.
        if (e.name === '_G' && !this.isLocal('_G')) this.facts.dynamicGlobals = true;
        this.read(e);
        return;
      case 'FunctionDeclaration':
        this.func(e);
        return;
      case 'TableConstructorExpression':
        this.table(e);
        return;
      case 'BinaryExpression':
      case 'LogicalExpression':
        this.expression(e.left);
        this.expression(e.right);
        return;
      case 'UnaryExpression':
        this.expression(e.argument);
        return;
      case 'MemberExpression':
        this.field(e.base, e.identifier.name, lineOf(e.identifier));
        return;
      case 'IndexExpression': {
        const key = stringValue(e.index);
        if (key === undefined) {
          this.fieldBase(e.base);
          this.expression(e.index);
        } else {
          this.field(e.base, key, lineOf(e.index));
        }
        return;
      }
      case 'CallExpression':
        this.call(e.base, e.arguments);
        return;
      case 'StringCallExpression':
        this.call(e.base, [e.argument]);
        return;
      case 'TableCallExpression':
        this.call(e.base, [e.arguments]);
        return;
      default:
        // literals and `...`
        return;
    }
  }

  /** `base.key`: a field read of a global (checked against modules), or an expression. */
  private field(base: Expression, key: string, line: number): void {
    if (base.type === 'Identifier' && !this.isLocal(base.name)) {
      // Reading _G.x is how a file asks whether x exists: never an error.
      if (base.name === '_G') return;
      this.read(base, key);
      this.facts.fieldReads.push({ global: base.name, field: key, line });
      return;
    }
    this.expression(base);
  }

  /** The base of `base[expression]`: `_G[k]` reads any global, which is allowed. */
  private fieldBase(base: Expression): void {
    if (base.type === 'Identifier' && base.name === '_G' && !this.isLocal('_G')) return;
    this.expression(base);
  }

  private call(callee: Expression, args: Expression[]): void {
    if (callee.type === 'Identifier' && !this.isLocal(callee.name)) {
      if (callee.name === 'require') {
        const name = args[0] && stringValue(args[0]);
        if (name === undefined) this.facts.dynamicGlobals = true;
        else this.facts.requires.push(name);
      }
      if (DYNAMIC_CALLS.has(callee.name)) this.facts.dynamicGlobals = true;
    }
    this.expression(callee);
    const method = callee.type === 'MemberExpression' ? callee.identifier.name : undefined;
    const [first, ...rest] = args;
    if (method && TASK_LISTS.has(method) && first?.type === 'TableConstructorExpression') this.table(first, method);
    else if (first) this.expression(first);
    for (const a of rest) this.expression(a);
  }

  /** A table constructor; `list` names the task list it is, whose items are checked as such. */
  private table(t: TableConstructorExpression, list?: string): void {
    for (const f of t.fields) {
      if (f.type === 'TableKey') {
        this.expression(f.key);
        this.expression(f.value);
      } else if (f.type === 'TableKeyString') {
        if (TASK_LISTS.has(f.key.name) && f.value.type === 'TableConstructorExpression') this.table(f.value, f.key.name);
        else this.expression(f.value);
      } else if (list && f.value.type === 'Identifier') {
        this.read(f.value, undefined, list);
      } else {
        this.expression(f.value);
      }
    }
  }
}

/** The text of a string literal, when it has no escapes to decode (names never do). */
function stringValue(e: Expression): string | undefined {
  if (e.type !== 'StringLiteral') return undefined;
  const raw = (e as StringLiteral).raw;
  const m = /^(["'])([^\\]*)\1$/.exec(raw) ?? /^\[(=*)\[\n?([\s\S]*)\]\1\]$/.exec(raw);
  return m ? m[2] : undefined;
}
