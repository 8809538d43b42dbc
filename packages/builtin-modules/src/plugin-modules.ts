import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage, importFile, type ModuleSpec, SlothError, z } from '@sloth/core/internal';
import { type KnownModule, knownModules, pluginStamp, rememberModules } from './plugin-module-names.js';

/** A plugin as oclif's plugin manager records it in its data directory's package.json. */
const recordedPlugin = z.union([
  z.string().transform((name) => ({ name, type: 'user' as const, root: undefined })),
  z.object({ name: z.string(), type: z.string(), root: z.string().optional() }),
]);
const userPackageJson = z.object({ oclif: z.object({ plugins: z.array(recordedPlugin).optional() }).optional() });

/** The field a plugin's package.json declares its Lua modules with: `"sloth": { "modules": "./dist/modules.js" }`. */
const slothField = z.object({ modules: z.string().min(1) }).strict();

/** An installed or linked plugin: its package name, directory, and how it came (`plugins install` or `link`). */
export interface InstalledPlugin {
  name: string;
  root: string;
  type: 'user' | 'link';
}

/** The plugins installed (`plugins install`) or linked (`plugins link`) in the plugin manager's data directory. */
export function installedPlugins(dataDir: string): InstalledPlugin[] {
  const file = join(dataDir, 'package.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return []; // no plugin was ever installed
  }
  let parsed: z.infer<typeof userPackageJson>;
  try {
    parsed = userPackageJson.parse(JSON.parse(text));
  } catch (err) {
    throw new SlothError('load', `the plugin list ${file} cannot be read: ${errorMessage(err)}`, {
      hint: 'fix or remove that file, then install the plugins again',
    });
  }
  return (parsed.oclif?.plugins ?? []).flatMap((p): InstalledPlugin[] => {
    if (p.type === 'link' && p.root) return [{ name: p.name, root: p.root, type: 'link' }];
    if (p.type === 'user') {
      return [{ name: p.name, root: join(dataDir, 'node_modules', ...p.name.split('/')), type: 'user' }];
    }
    return [];
  });
}

/** How a plugin's modules are loaded: imported now, or (`lazy`) known by name from the last import when it can be. */
export interface PluginLoadOptions {
  /** The plugin data directory, where the names of each plugin's modules are remembered (see plugin-module-names). */
  dataDir?: string | undefined;
  /** Modules whose names are remembered are not imported: each gets `lazy`, which imports it when a workflow uses it. */
  lazy?: boolean | undefined;
}

/** The Lua modules one plugin declares (none for a plugin that only adds commands), each marked with the plugin. */
export async function pluginModules(plugin: InstalledPlugin, options: PluginLoadOptions = {}): Promise<ModuleSpec[]> {
  const declared = declaredModulesFile(plugin);
  if (!declared) return [];
  const { file, version } = declared;
  const stamp = options.dataDir ? pluginStamp(plugin.root, version, file) : undefined;
  if (options.lazy && options.dataDir && stamp) {
    const known = knownModules(options.dataDir, plugin.root, stamp);
    if (known) return known.map((m) => lazyModule(plugin, file, m));
  }
  const modules = await importModules(plugin, file);
  if (options.dataDir && stamp) {
    rememberModules(
      options.dataDir,
      plugin.root,
      stamp,
      modules.map((m) => ({ name: m.name, functions: Object.keys(m.functions) })),
    );
  }
  return modules;
}

/** A plugin's module known by name: `lazy.load` imports the plugin's modules file and gives this module. */
function lazyModule(plugin: InstalledPlugin, file: string, known: KnownModule): ModuleSpec {
  return {
    name: known.name,
    doc: `from the ${plugin.name} plugin (loaded when a workflow uses it)`,
    functions: {},
    plugin: plugin.name,
    importFrom: pathToFileURL(file).href,
    lazy: {
      functions: known.functions,
      load: async () => {
        const found = (await importModules(plugin, file)).find((m) => m.name === known.name);
        if (found) return found;
        throw pluginError(plugin, `its modules file ${file} no longer exports the module '${known.name}'`);
      },
    },
  };
}

const pluginError = (plugin: InstalledPlugin, what: string, hint?: string) =>
  new SlothError('load', `plugin '${plugin.name}' (${plugin.root}): ${what}`, {
    hint: hint ?? `fix the plugin, or remove it: sloth-runner plugins uninstall ${plugin.name}`,
  });

/** The modules file a plugin's package.json declares (`"sloth": { "modules": ... }`) and its version; none: undefined. */
function declaredModulesFile(plugin: InstalledPlugin): { file: string; version: unknown } | undefined {
  let pkg: { sloth?: unknown; version?: unknown };
  try {
    pkg = JSON.parse(readFileSync(join(plugin.root, 'package.json'), 'utf8')) as { sloth?: unknown };
  } catch (err) {
    throw pluginError(plugin, `its package.json cannot be read: ${errorMessage(err)}`);
  }
  if (pkg.sloth === undefined) return undefined;
  const field = slothField.safeParse(pkg.sloth);
  if (!field.success) {
    throw pluginError(
      plugin,
      `its package.json field "sloth" must be { "modules": "./path/to/modules.js" } (got ${JSON.stringify(pkg.sloth)})`,
    );
  }
  const file = resolve(plugin.root, field.data.modules);
  const rel = relative(plugin.root, file);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`)) {
    throw pluginError(plugin, `"sloth.modules" points outside the plugin: ${file}`);
  }
  return { file, version: pkg.version };
}

/** Imports a plugin's modules file: the modules it exports, each marked with the plugin. */
async function importModules(plugin: InstalledPlugin, file: string): Promise<ModuleSpec[]> {
  const url = pathToFileURL(file).href;
  let exports: Record<string, unknown>;
  try {
    exports = (await importFile(url)) as Record<string, unknown>;
  } catch (err) {
    throw pluginError(plugin, `loading its modules file ${file} failed: ${errorMessage(err)}`);
  }
  const modules = Object.values(exports).filter(isModuleSpec);
  if (modules.length === 0) {
    throw pluginError(plugin, `its modules file ${file} exports no module (export the result of defineModule from @sloth/core)`);
  }
  // Goroutine threads import a module from importFrom: this file exports it, which is all they need.
  return modules.map((m) => ({ ...m, importFrom: m.importFrom ?? url, plugin: plugin.name }));
}

function isModuleSpec(value: unknown): value is ModuleSpec {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ModuleSpec>;
  return typeof v.name === 'string' && typeof v.functions === 'object' && v.functions !== null;
}

/**
 * The built-in modules followed by every plugin's, in the order the plugins were installed. A plugin that cannot be
 * loaded, or whose module takes a name already taken, stops it with an error naming the plugin.
 */
export async function withPluginModules(
  builtin: ModuleSpec[],
  plugins: InstalledPlugin[],
  options: PluginLoadOptions = {},
): Promise<ModuleSpec[]> {
  const all = [...builtin];
  const owner = new Map(builtin.map((m) => [m.name, undefined as string | undefined]));
  for (const plugin of plugins) {
    for (const module of await pluginModules(plugin, options)) {
      if (!/^[a-z][a-z0-9_]*$/.test(module.name)) {
        throw new SlothError('load', `plugin '${plugin.name}': invalid module name '${module.name}'`, {
          hint: 'a module name is lowercase letters, digits and underscores, starting with a letter',
        });
      }
      if (owner.has(module.name)) {
        const other = owner.get(module.name);
        throw new SlothError(
          'load',
          `plugin '${plugin.name}' adds a module named '${module.name}', which ${other ? `plugin '${other}' adds too` : 'is a built-in module'}`,
          { hint: `rename the plugin's module, or remove the plugin: sloth-runner plugins uninstall ${plugin.name}` },
        );
      }
      owner.set(module.name, plugin.name);
      all.push(module);
    }
  }
  return all;
}
