// A checker of the LuaLS annotation lines the stub generator writes, for tests where lua-language-server itself is
// not at hand: the grammar of ---@meta, @class, @field, @param, @return, @type, @alias and @overload lines, their type
// expressions, and that every type they name is declared (by an @class or @alias) or built in.

const BUILTIN_TYPES = new Set(
  'any nil boolean string number integer table function thread userdata unknown true false'.split(' '),
);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/;

/** One mistake: file, 1-based line, what is wrong. */
export interface AnnotationIssue {
  file: string;
  line: number;
  message: string;
}

/** Checks every `---` line of `files` (name -> text); returns the mistakes (none: the annotations are well formed). */
export function checkAnnotations(files: Record<string, string>): AnnotationIssue[] {
  const issues: AnnotationIssue[] = [];
  const declared = new Set<string>();
  const used: { file: string; line: number; name: string }[] = [];
  for (const [file, text] of Object.entries(files)) {
    let inCode = false;
    text.split('\n').forEach((line, i) => {
      if (!line.startsWith('---')) return;
      const fail = (message: string) => issues.push({ file, line: i + 1, message: `${message}: ${line}` });
      if (line === '---```lua' || line === '---```') {
        inCode = line === '---```lua';
        return;
      }
      if (inCode) return;
      if (!line.startsWith('---@')) {
        if (line !== '---' && !/^--- \S/.test(line)) fail('a description line is "--- text"');
        if (/^--- ?@/.test(line)) fail('a description line that reads as an annotation');
        return;
      }
      const m = /^---@(\w+)(?: (.*))?$/.exec(line);
      const [tag, rest = ''] = m ? [m[1] as string, m[2]] : ['', ''];
      const type = (s: string): string | undefined => {
        const parsed = parseType(s);
        if (!parsed) return undefined;
        for (const n of parsed.names) used.push({ file, line: i + 1, name: n });
        return s.slice(parsed.end);
      };
      switch (tag) {
        case 'meta':
          if (rest !== '' && !NAME.test(rest)) fail('@meta takes a module name');
          return;
        case 'class': {
          const c = /^([A-Za-z_][\w.]*)(?:: ([A-Za-z_][\w.]*))?$/.exec(rest);
          if (!c) {
            fail('@class NAME[: PARENT]');
            return;
          }
          declared.add(c[1] as string);
          if (c[2]) used.push({ file, line: i + 1, name: c[2] });
          return;
        }
        case 'alias': {
          const a = /^([A-Za-z_][\w.]*) (.+)$/.exec(rest);
          if (!a) {
            fail('@alias NAME TYPE');
            return;
          }
          declared.add(a[1] as string);
          if (type(a[2] as string) !== '') fail('@alias TYPE has trailing text');
          return;
        }
        case 'param':
        case 'field': {
          const head = tag === 'param' ? /^[A-Za-z_]\w*\??(?= )|^\.\.\.(?= )/.exec(rest) : fieldName(rest);
          if (!head) {
            fail(`@${tag} needs a name`);
            return;
          }
          const after = type(rest.slice(head[0].length + 1));
          if (after === undefined) {
            fail(`@${tag} has no valid type`);
            return;
          }
          if (after !== '' && !after.startsWith(' ')) fail(`@${tag}: text runs into the type`);
          return;
        }
        case 'return': {
          const after = type(rest);
          if (after === undefined) {
            fail('@return has no valid type');
            return;
          }
          if (after !== '' && !/^ # \S/.test(after) && !/^ [A-Za-z_]\w*( |$)/.test(after)) fail('@return TYPE [name] [# text]');
          return;
        }
        case 'type':
          if (type(rest) !== '') fail('@type TYPE');
          return;
        case 'overload':
          if (!rest.startsWith('fun(') || type(rest) !== '') fail('@overload fun(...)');
          return;
        default:
          fail(`unknown annotation @${tag}`);
      }
    });
  }
  for (const u of used) {
    if (!BUILTIN_TYPES.has(u.name) && !declared.has(u.name)) {
      issues.push({ file: u.file, line: u.line, message: `type ${u.name} is not declared by any @class or @alias` });
    }
  }
  return issues;
}

function fieldName(rest: string): RegExpExecArray | null {
  if (rest.startsWith('[')) {
    const inner = parseType(rest.slice(1));
    if (!inner || rest[1 + inner.end] !== ']') return null;
    return /^.*?\]\??(?= )/.exec(rest);
  }
  return /^[A-Za-z_]\w*\??(?= )/.exec(rest);
}

/** Parses a type expression at the start of `s`: where it ends, and the type names it uses; undefined if none. */
export function parseType(s: string): { end: number; names: string[] } | undefined {
  const names: string[] = [];
  let pos = 0;
  const ws = () => {
    while (s[pos] === ' ') pos++;
  };
  const eat = (t: string) => {
    if (s.startsWith(t, pos)) {
      pos += t.length;
      return true;
    }
    return false;
  };
  const union = (): boolean => {
    if (!item()) return false;
    while (eat('|')) if (!item()) return false;
    return true;
  };
  const item = (): boolean => {
    if (!primary()) return false;
    while (eat('[]')) {}
    eat('?');
    return true;
  };
  const list = (close: string, one: () => boolean): boolean => {
    ws();
    if (eat(close)) return true;
    do {
      ws();
      if (!one()) return false;
      ws();
    } while (eat(','));
    return eat(close);
  };
  const named = (): boolean => {
    const n = /^[A-Za-z_]\w*\??/.exec(s.slice(pos));
    if (!n || !eat(n[0])) return false;
    ws();
    if (!eat(':')) return false;
    ws();
    return union();
  };
  const primary = (): boolean => {
    if (eat('(')) return union() && eat(')');
    if (eat('{')) return list('}', named);
    const str = /^"[^"\\]*"/.exec(s.slice(pos)) ?? /^-?\d+(\.\d+)?/.exec(s.slice(pos));
    if (str) return eat(str[0]);
    const n = NAME.exec(s.slice(pos));
    if (!n) return false;
    pos += n[0].length;
    if (n[0] === 'fun') {
      if (!eat('(') || !list(')', named)) return false;
      if (s[pos] === ':') {
        pos++;
        ws();
        if (!union()) return false;
        while (s[pos] === ',' && s[pos + 1] === ' ') {
          pos += 2;
          if (!union()) return false;
        }
      }
      return true;
    }
    names.push(n[0]);
    if (eat('<')) return list('>', union);
    return true;
  };
  return union() ? { end: pos, names } : undefined;
}
