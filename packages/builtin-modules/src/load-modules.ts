import type { ModuleSpec } from '@sloth/core';
import { builtinModules } from './index.js';
import { pluginDataDir } from './plugin-data-dir.js';
import { installedPlugins, withPluginModules } from './plugin-modules.js';

let loaded: Promise<ModuleSpec[]> | undefined;
let forWorkflows: Promise<ModuleSpec[]> | undefined;

/**
 * Every module: the built-in ones, then those of the installed and linked plugins (read from the plugin manager's
 * data directory, see pluginDataDir), their code imported. Loaded once per process, on first use: commands that run no
 * Lua never read a plugin.
 */
export function loadModules(): Promise<ModuleSpec[]> {
  loaded ??= withPlugins(false);
  return loaded;
}

/**
 * The modules a workflow run gets: as loadModules, but a plugin's modules whose names are remembered from an earlier
 * import are not imported: each is `lazy`, imported when a workflow uses it. A run that uses no plugin then costs no
 * more than without plugins installed. Not for listings (`modules list`, stubs): they need every function.
 */
export function loadWorkflowModules(): Promise<ModuleSpec[]> {
  forWorkflows ??= withPlugins(true);
  return forWorkflows;
}

async function withPlugins(lazy: boolean): Promise<ModuleSpec[]> {
  const dataDir = pluginDataDir();
  const plugins = installedPlugins(dataDir);
  return plugins.length === 0 ? builtinModules : withPluginModules(builtinModules, plugins, { dataDir, lazy });
}
