/**
 * The text of a Lua file as Lua should compile it. `lua file.lua` skips a first line starting with '#' (a shebang,
 * so a workflow can be made executable) and editors on Windows start files with a UTF-8 byte order mark; files are
 * compiled here from strings, which take neither, so both are removed. The shebang becomes a comment, keeping every
 * line number. Octal literals (`0o644`), which Lua lacks and file modes are written in, become their decimal value.
 */
export function luaSourceText(text: string): string {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return withOctalLiterals(s.startsWith('#') ? `--${s}` : s);
}

const OCTAL = /0[oO]([0-7]+)(?![\w.])/y;
const WORD = /[\w.]+/y;
const LONG_OPEN = /\[(=*)\[/y;

/** Replaces `0o644` by `420` in code, leaving strings and comments alone; lines stay where they were. */
function withOctalLiterals(s: string): string {
  if (!/0[oO][0-7]/.test(s)) return s;
  let out = '';
  let i = 0;
  const copyTo = (end: number) => {
    out += s.slice(i, end);
    i = end;
  };
  while (i < s.length) {
    const c = s[i] as string;
    if (c === '-' && s[i + 1] === '-') {
      LONG_OPEN.lastIndex = i + 2;
      const long = LONG_OPEN.exec(s);
      if (long) copyTo(longEnd(s, LONG_OPEN.lastIndex, long[1] as string));
      else copyTo(lineEnd(s, i));
    } else if (c === '[') {
      LONG_OPEN.lastIndex = i;
      const long = LONG_OPEN.exec(s);
      copyTo(long ? longEnd(s, LONG_OPEN.lastIndex, long[1] as string) : i + 1);
    } else if (c === '"' || c === "'") {
      copyTo(quotedEnd(s, i + 1, c));
    } else if (/[\w.]/.test(c)) {
      OCTAL.lastIndex = i;
      const octal = /\d/.test(c) && !/[\w.]/.test(s[i - 1] ?? '') ? OCTAL.exec(s) : null;
      if (octal) {
        out += String(Number.parseInt(octal[1] as string, 8));
        i = OCTAL.lastIndex;
      } else {
        WORD.lastIndex = i;
        WORD.exec(s);
        copyTo(WORD.lastIndex);
      }
    } else copyTo(i + 1);
  }
  return out;
}

function lineEnd(s: string, from: number): number {
  const nl = s.indexOf('\n', from);
  return nl < 0 ? s.length : nl;
}

function longEnd(s: string, from: number, level: string): number {
  const close = s.indexOf(`]${level}]`, from);
  return close < 0 ? s.length : close + level.length + 2;
}

function quotedEnd(s: string, from: number, quote: string): number {
  for (let j = from; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === quote || s[j] === '\n') return j + 1;
  }
  return s.length;
}
