import { SlothError } from '@sloth/core';
import type { LuaRuntime, LuaThreadState } from './lua-runtime.js';
import { findLuaFile } from './lua-sandbox.js';
import { checkLuaSource, type KnownNames, type StaticIssue } from './lua-static-check.js';

/** Lists the globals of a Lua state, one a line, and `module.field` for every field of every module. */
const KNOWN_NAMES_LUA = `local out = {}
for k in pairs(_G) do if type(k) == 'string' then out[#out + 1] = k end end
for name, m in pairs(__sloth.modules) do
  for k in pairs(m) do if type(k) == 'string' then out[#out + 1] = name .. '.' .. k end end
end
return table.concat(out, '\\n')`;

/** Issues shown in one error; the rest are counted. */
const MAX_SHOWN = 20;

/** The names a file's Lua state holds before the file runs: the truth of what its code can use. */
export async function knownNames(runtime: LuaRuntime, state: Omit<LuaThreadState, 'address' | 'lastYield'>): Promise<KnownNames> {
  const text = (await runtime.run(KNOWN_NAMES_LUA, '=sloth:names', [], state)) as string;
  const known: KnownNames = { globals: new Set(), modules: new Map() };
  for (const line of text.split('\n')) {
    const dot = line.indexOf('.');
    if (dot < 0) {
      known.globals.add(line);
      continue;
    }
    const module = line.slice(0, dot);
    const fields = known.modules.get(module) ?? new Set<string>();
    fields.add(line.slice(dot + 1));
    known.modules.set(module, fields);
  }
  return known;
}

/**
 * Checks a workflow file's text before it runs (see checkLuaSource): a `load` error naming each mistake's
 * file:line, or nothing. `path` is where `require` looks for Lua files; `shown` names the file in the error.
 */
export function checkWorkflowSource(text: string, known: KnownNames, path: string, shown: string): void {
  const builtins = [...known.modules.keys()];
  const issues = checkLuaSource(text, known, (name) => findLuaFile(path, name, builtins).source);
  if (issues.length === 0) return;
  const [first, ...others] = issues as [StaticIssue, ...StaticIssue[]];
  const more = others.slice(0, MAX_SHOWN - 1).map((i) => `\n  ${shown}:${i.line}: ${i.message}`);
  const hidden = others.length - more.length;
  // The location leads the message, as in Lua's own load errors: whoever shows only the message still shows where.
  const message = `${shown}:${first.line}: ${first.message}${more.join('')}${hidden > 0 ? `\n  and ${hidden} more` : ''}`;
  throw new SlothError('load', message, {
    hint: 'define what is missing (local NAME = ...) or fix the spelling; `sloth-runner modules list` shows the modules and their functions',
  });
}
