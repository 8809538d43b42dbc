import type { ModuleSpec } from '@sloth/core/internal';
import { findLuaFile } from './lua-sandbox.js';

/** Lua files read through `require` for the names they hold; more are left to load on first use. */
const MAX_FILES = 200;
const REQUIRE = /\brequire\s*\(?\s*(["'])([^"'\n]+)\1/g;

/**
 * Loads, before a workflow runs, the lazy modules (ModuleSpec.lazy) whose names its text or the Lua files it requires
 * hold, and puts them in `modules` in place of their lazy entries: bound like any module, they also travel to
 * goroutines and agents. A name in a comment loads the module needlessly, which only costs time; a module reached
 * only by a name built at run time loads on first use.
 */
export async function loadNamedLazyModules(modules: ModuleSpec[], path: string, source: string): Promise<void> {
  const lazy = modules.filter((m) => m.lazy);
  if (lazy.length === 0) return;
  const texts = luaTexts(
    path,
    source,
    modules.map((m) => m.name),
  );
  const named = lazy.filter((m) => {
    const word = new RegExp(`(?<![\\w.])${m.name}\\b`);
    return texts.some((t) => word.test(t));
  });
  const loaded = await Promise.all(named.map((m) => (m.lazy as NonNullable<ModuleSpec['lazy']>).load()));
  named.forEach((m, i) => {
    // Another load of the same list (a second file in this process) may have put it in place already.
    const at = modules.indexOf(m);
    if (at >= 0) modules[at] = loaded[i] as ModuleSpec;
  });
}

/** The text of the workflow and of every Lua file it requires by a literal name, as `require` finds them. */
function luaTexts(path: string, source: string, moduleNames: string[]): string[] {
  const texts = [source];
  const seen = new Set<string>();
  for (let i = 0; i < texts.length && texts.length < MAX_FILES; i++) {
    for (const match of (texts[i] as string).matchAll(REQUIRE)) {
      const name = match[2] as string;
      if (seen.has(name) || moduleNames.includes(name)) continue;
      seen.add(name);
      const found = findLuaFile(path, name, moduleNames);
      if (found.source !== undefined) texts.push(found.source);
    }
  }
  return texts;
}
