/**
 * The text of a Lua file as Lua should compile it. `lua file.lua` skips a first line starting with '#' (a shebang,
 * so a workflow can be made executable) and editors on Windows start files with a UTF-8 byte order mark; files are
 * compiled here from strings, which take neither, so both are removed. The shebang becomes a comment, keeping every
 * line number.
 */
export function luaSourceText(text: string): string {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return s.startsWith('#') ? `--${s}` : s;
}
