import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { builtinModules } from '@sloth/builtin-modules';
import { errorMessage, type ModuleSpec, SlothError } from '@sloth/core';
import { DEFAULT_STUBS_DIR, luarcJson, luaStubFiles } from '@sloth/lua';

export { DEFAULT_STUBS_DIR };

/**
 * The editor files of a new project, by path relative to it: the LuaLS stubs of `modules` (the built-in ones unless
 * given: plugins' modules come from loadModules) in `.sloth/types/` and a `.luarc.json` that points
 * lua-language-server at them.
 */
export function editorProjectFiles(modules: readonly ModuleSpec[] = builtinModules): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, text] of Object.entries(luaStubFiles(modules))) files[`${DEFAULT_STUBS_DIR}/${name}`] = text;
  files['.luarc.json'] = `${JSON.stringify(luarcJson(DEFAULT_STUBS_DIR), null, 2)}\n`;
  return files;
}

/**
 * Writes the stubs of `modules` into `out` (created if needed) and, unless `luarc` is undefined, points the
 * `.luarc.json` at that path at them (merged into the one there). Returns what it wrote.
 */
export function writeEditorStubs(
  out: string,
  luarc: string | undefined,
  modules: ModuleSpec[],
): { stubs: string[]; luarc?: string | undefined } {
  const files = luaStubFiles(modules);
  // The library path as the editor reads it: relative to the .luarc.json's directory. Read before anything is
  // written, so that a broken .luarc.json changes nothing.
  const library = luarc === undefined ? undefined : isAbsolute(out) ? out : relative(dirname(luarc), out) || '.';
  const settings = luarc && library && `${JSON.stringify(luarcJson(library, readLuarc(luarc)), null, 2)}\n`;
  try {
    mkdirSync(out, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(out, name), text);
  } catch (err) {
    throw new SlothError('usage', `cannot write the Lua stubs to ${out}: ${errorMessage(err)}`, {
      hint: 'pass --out with a directory you can write',
    });
  }
  if (!luarc || !settings) return { stubs: Object.keys(files) };
  try {
    writeFileSync(luarc, settings);
  } catch (err) {
    throw new SlothError('usage', `cannot write ${luarc}: ${errorMessage(err)}`, {
      hint: 'run it in a directory you can write, or pass --no-luarc',
    });
  }
  return { stubs: Object.keys(files), luarc };
}
function readLuarc(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SlothError('usage', `${path} is not valid JSON (${errorMessage(err)}); nothing was changed in it`, {
      hint: 'fix it, or pass --no-luarc and add the stubs directory to its workspace.library yourself',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SlothError('usage', `${path} does not hold a JSON object; nothing was changed in it`, {
      hint: 'fix it, or pass --no-luarc and add the stubs directory to its workspace.library yourself',
    });
  }
  return parsed as Record<string, unknown>;
}
