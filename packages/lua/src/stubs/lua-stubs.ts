import type { ModuleSpec } from '@sloth/core';
import { NESTED_MODULES } from '../nested-modules.js';
import { moduleStubs } from './module-stubs.js';
import { renderStubFile } from './render-stubs.js';
import { workflowLanguageStubs } from './workflow-language.js';

/** Where `modules stubs` and `workflow init` put the stubs, relative to the project directory. */
export const DEFAULT_STUBS_DIR = '.sloth/types';

/**
 * LuaLS (lua-language-server) annotation files for workflows: `sloth.lua` (the workflow language: task, workflow,
 * values, params, the task context) and one `<module>.lua` per module, by file name.
 */
export function luaStubFiles(modules: readonly ModuleSpec[]): Record<string, string> {
  const names = new Set(modules.map((m) => m.name));
  const files: Record<string, string> = { 'sloth.lua': renderStubFile(workflowLanguageStubs()) };
  for (const m of modules) {
    const nested = (NESTED_MODULES[m.name] ?? []).filter((c) => names.has(c));
    files[`${m.name}.lua`] = renderStubFile(moduleStubs(m, nested));
  }
  return files;
}

/**
 * A `.luarc.json` (lua-language-server's project settings) that reads the stubs in `library` (relative to the
 * project directory): Lua 5.4, and no warnings about the stubs themselves. Merged into `existing` when there is one:
 * its other settings are kept, and `library` is added to its workspace.library.
 */
export function luarcJson(library: string, existing: Record<string, unknown> = {}): Record<string, unknown> {
  const runtime = objectAt(existing, 'runtime');
  const workspace = objectAt(existing, 'workspace');
  const libraries = Array.isArray(workspace.library) ? (workspace.library as unknown[]) : [];
  return {
    ...existing,
    runtime: { ...runtime, version: 'Lua 5.4' },
    workspace: {
      ...workspace,
      library: libraries.includes(library) ? libraries : [...libraries, library],
      checkThirdParty: workspace.checkThirdParty ?? false,
    },
  };
}

function objectAt(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = o[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
