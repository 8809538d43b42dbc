import type { ModuleSpec } from '@sloth/core';
import { builtinModules } from './index.js';
import { pluginDataDir } from './plugin-data-dir.js';
import { installedPlugins, withPluginModules } from './plugin-modules.js';

let loaded: Promise<ModuleSpec[]> | undefined;

/**
 * Every module a workflow gets: the built-in ones, then those of the installed and linked plugins (read from the
 * plugin manager's data directory, see pluginDataDir). Loaded once per process, on first use: commands that run no
 * Lua never read a plugin.
 */
export function loadModules(): Promise<ModuleSpec[]> {
  loaded ??= (async () => {
    const plugins = installedPlugins(pluginDataDir());
    return plugins.length === 0 ? builtinModules : withPluginModules(builtinModules, plugins);
  })();
  return loaded;
}
