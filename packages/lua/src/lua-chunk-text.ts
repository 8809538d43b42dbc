/**
 * A file's text as the standalone `lua` takes it: without a UTF-8 byte-order mark, and with a first line that starts
 * with `#` (a shebang, `#!/usr/bin/env sloth-runner`) emptied. The line stays, so line numbers in errors stay true.
 */
export function luaChunkText(source: string): string {
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  return text.startsWith('#') ? text.replace(/^#[^\n]*/, '') : text;
}
