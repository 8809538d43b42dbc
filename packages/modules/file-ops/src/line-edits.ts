// The text edits of lineinfile, blockinfile and replace, on a file's content, with Ansible's semantics. Pure: the
// functions that call them read the file and converge it to the result.

/** lineinfile's parameters, regexps compiled. */
export interface LineEdit {
  line?: string | undefined;
  regexp?: RegExp | undefined;
  searchString?: string | undefined;
  state: 'present' | 'absent';
  /** A regexp, or 'EOF'. */
  insertafter?: RegExp | 'EOF' | undefined;
  /** A regexp, or 'BOF'. */
  insertbefore?: RegExp | 'BOF' | undefined;
  backrefs: boolean;
}

/** The content split in lines, each with its line ending (the last may have none). */
function linesOf(content: string): string[] {
  return content === '' ? [] : content.split(/(?<=\n)/);
}

const bare = (line: string) => line.replace(/\r?\n$/, '');

/**
 * lineinfile: with `regexp` (or `search_string`), the last matching line becomes `line`; without, `line` is added
 * unless present. Added lines go after the last line matching `insertafter` / before the last matching
 * `insertbefore` (BOF, EOF; default EOF). With `backrefs`, a regexp that matches nothing leaves the file alone.
 * `absent` removes every matching line (or every line equal to `line`).
 */
export function editLine(content: string, edit: LineEdit): string {
  const lines = linesOf(content);
  const matches = (text: string) =>
    edit.regexp
      ? edit.regexp.exec(text)
      : edit.searchString !== undefined
        ? text.includes(edit.searchString)
        : text === edit.line;
  if (edit.state === 'absent') return lines.filter((l) => !matches(bare(l))).join('');

  const line = edit.line ?? '';
  const insertRe =
    edit.insertafter instanceof RegExp ? edit.insertafter : edit.insertbefore instanceof RegExp ? edit.insertbefore : undefined;
  let found = -1;
  let match: RegExpExecArray | boolean | null = null;
  let insertAt = -1;
  lines.forEach((l, i) => {
    const m = matches(bare(l));
    if (m) {
      found = i;
      match = m;
    } else if (insertRe?.test(bare(l))) {
      insertAt = edit.insertafter instanceof RegExp ? i + 1 : i;
    }
  });
  const withEnd = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);
  if (found !== -1) {
    const expanded = edit.backrefs && Array.isArray(match) ? expand(line, match as RegExpExecArray) : line;
    const current = lines[found] as string;
    if (bare(current) !== expanded) lines[found] = current.endsWith('\n') ? withEnd(expanded) : expanded;
    return lines.join('');
  }
  // Nothing matched the regexp, but the line is there already: adding it again would not be idempotent.
  if (edit.backrefs || lines.some((l) => bare(l) === line)) return content;
  if (edit.insertbefore === 'BOF') {
    lines.unshift(withEnd(line));
  } else if (edit.insertafter === 'EOF' || insertAt === -1 || insertAt === lines.length) {
    const last = lines.length - 1;
    if (last >= 0) lines[last] = withEnd(lines[last] as string);
    lines.push(withEnd(line));
  } else {
    lines.splice(insertAt, 0, withEnd(line));
  }
  return lines.join('');
}

/** Python's `\1` / `\g<name>` (what Ansible users write) and JS's `$1` / `$<name>` in a line, from a match. */
function expand(template: string, match: RegExpExecArray): string {
  return template.replace(/\\(\d{1,2})|\\g<(\w+)>|\$(\d{1,2})|\$<(\w+)>/g, (_all, n1, g1, n2, g2) => {
    const key = n1 ?? g1 ?? n2 ?? g2;
    const value = /^\d+$/.test(key) ? match[Number(key)] : match.groups?.[key];
    return value ?? '';
  });
}

/** blockinfile's parameters. */
export interface BlockEdit {
  block: string;
  /** With "{mark}", replaced by BEGIN and END. */
  marker: string;
  state: 'present' | 'absent';
  insertafter?: RegExp | 'EOF' | undefined;
  insertbefore?: RegExp | 'BOF' | undefined;
}

/**
 * blockinfile: the lines between the BEGIN and END markers become `block` (markers added at the end, or after /
 * before the last line matching insertafter / insertbefore, when not there); `absent`, or an empty block, removes
 * them and the markers.
 */
export function editBlock(content: string, edit: BlockEdit): string {
  const lines = linesOf(content);
  const begin = edit.marker.replaceAll('{mark}', 'BEGIN');
  const end = edit.marker.replaceAll('{mark}', 'END');
  const blockLines =
    edit.state === 'present' && edit.block !== ''
      ? [begin, ...edit.block.replace(/\n$/, '').split('\n'), end].map((l) => `${l}\n`)
      : [];
  let n0 = lines.findLastIndex((l) => bare(l) === begin);
  const n1 = lines.findLastIndex((l) => bare(l) === end);
  if (n0 === -1 || n1 === -1) {
    if (blockLines.length === 0) return content;
    const re =
      edit.insertafter instanceof RegExp ? edit.insertafter : edit.insertbefore instanceof RegExp ? edit.insertbefore : undefined;
    if (re) {
      n0 = lines.findLastIndex((l) => re.test(bare(l)));
      if (n0 === -1) n0 = lines.length;
      else if (edit.insertafter instanceof RegExp) n0 += 1;
    } else n0 = edit.insertbefore === 'BOF' ? 0 : lines.length;
  } else if (n0 < n1) {
    lines.splice(n0, n1 - n0 + 1);
  } else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  if (n0 > 0) lines[n0 - 1] = (lines[n0 - 1] as string).endsWith('\n') ? (lines[n0 - 1] as string) : `${lines[n0 - 1]}\n`;
  lines.splice(n0, 0, ...blockLines);
  return lines.join('');
}

/** replace: every match of a multiline regexp (^ and $ at each line), with `$1` / `$<name>` back-references. */
export function replaceAll(content: string, regexp: RegExp, replacement: string): string {
  return content.replace(new RegExp(regexp.source, `${regexp.flags.replace(/[gm]/g, '')}gm`), replacement);
}

/**
 * A user's regexp as a JS RegExp: Python's `(?P<name>` (Ansible's docs use it) becomes `(?<name>`. Throws a message
 * for a regexp JS cannot compile.
 */
export function compileRegexp(source: string): RegExp {
  return new RegExp(source.replaceAll('(?P<', '(?<'));
}
