import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFiles } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { builtinModules } from './index.js';
import { pluginDataDir } from './plugin-data-dir.js';
import { pluginStamp, rememberModules } from './plugin-module-names.js';
import { installedPlugins, pluginModules, withPluginModules } from './plugin-modules.js';

const plugin = (name: string, modulesJs: string, sloth: unknown = { modules: './m.js' }) => ({
  [`${name}/package.json`]: JSON.stringify({ name, type: 'module', oclif: {}, sloth }),
  [`${name}/m.js`]: modulesJs,
});

describe('the plugins a data directory lists', () => {
  it('reads linked and installed plugins (oclif writes installed ones by name or as objects); none without the file', () => {
    const dir = writeFiles({
      'package.json': JSON.stringify({
        oclif: {
          plugins: [
            { name: 'a', type: 'link', root: '/src/a' },
            { name: '@acme/b', type: 'user', tag: 'latest' },
            'c',
            { name: 'd', type: 'dev' },
          ],
        },
      }),
    });
    expect(installedPlugins(dir)).toEqual([
      { name: 'a', root: '/src/a', type: 'link' },
      { name: '@acme/b', root: join(dir, 'node_modules', '@acme', 'b'), type: 'user' },
      { name: 'c', root: join(dir, 'node_modules', 'c'), type: 'user' },
    ]);
    expect(installedPlugins(join(dir, 'nothing-here'))).toEqual([]);
  });

  it('refuses a list that is not what oclif writes, naming the file', () => {
    const dir = writeFiles({ 'package.json': '{"oclif": {"plugins": 3}}' });
    expect(() => installedPlugins(dir)).toThrow(`the plugin list ${join(dir, 'package.json')} cannot be read`);
  });

  it("is oclif's data directory for sloth-runner", () => {
    expect(pluginDataDir({ SLOTH_RUNNER_DATA_DIR: '/d', XDG_DATA_HOME: '/x' })).toBe('/d');
    expect(pluginDataDir({ XDG_DATA_HOME: '/x' })).toBe('/x/sloth-runner');
    expect(pluginDataDir({ HOME: '/h' }).endsWith(join('.local', 'share', 'sloth-runner'))).toBe(true);
  });
});

describe("a plugin's modules", () => {
  it('are the module exports of its modules file, marked with the plugin, importFrom defaulting to that file', async () => {
    const dir = writeFiles({
      ...plugin('p', 'export const one = { name: "one", doc: "", functions: {} };\nexport const other = 42;\n'),
      'q/package.json': JSON.stringify({ name: 'q', oclif: {} }),
    });
    const [one] = await pluginModules({ name: 'p', root: join(dir, 'p'), type: 'link' });
    expect(one).toMatchObject({ name: 'one', plugin: 'p', importFrom: pathToFileURL(join(dir, 'p/m.js')).href });
    // A plugin without the field adds commands only.
    expect(await pluginModules({ name: 'q', root: join(dir, 'q'), type: 'link' })).toEqual([]);
  });

  it('fail with the plugin named: a bad field, a file outside it, a file that throws or exports no module', async () => {
    const dir = writeFiles({
      ...plugin('field', '', './m.js'),
      ...plugin('outside', '', { modules: '../elsewhere.js' }),
      ...plugin('throws', 'throw new Error("no API key");\n'),
      ...plugin('empty', 'export const x = 1;\n'),
    });
    const load = (name: string) => pluginModules({ name, root: join(dir, name), type: 'link' });
    await expect(load('field')).rejects.toThrow(`plugin 'field' (${join(dir, 'field')}): its package.json field "sloth" must be`);
    await expect(load('outside')).rejects.toThrow('"sloth.modules" points outside the plugin');
    await expect(load('throws')).rejects.toThrow(/plugin 'throws' .*: loading its modules file .*m\.js failed: no API key/);
    await expect(load('empty')).rejects.toThrow(/exports no module \(export the result of defineModule/);
    await expect(load('missing')).rejects.toThrow(/plugin 'missing' .*: its package\.json cannot be read/);
  });

  it('come after the built-in ones; a name a built-in module or another plugin has is refused', async () => {
    const dir = writeFiles({
      ...plugin('a', 'export const m = { name: "greet", doc: "", functions: {} };\n'),
      ...plugin('b', 'export const m = { name: "greet", doc: "", functions: {} };\n'),
      ...plugin('c', 'export const m = { name: "fs", doc: "", functions: {} };\n'),
      ...plugin('d', 'export const m = { name: "Bad-Name", doc: "", functions: {} };\n'),
    });
    const at = (name: string) => ({ name, root: join(dir, name), type: 'link' as const });
    const all = await withPluginModules(builtinModules, [at('a')]);
    expect(all.slice(0, builtinModules.length)).toEqual(builtinModules);
    expect(all.at(-1)?.name).toBe('greet');
    await expect(withPluginModules(builtinModules, [at('a'), at('b')])).rejects.toThrow(
      "plugin 'b' adds a module named 'greet', which plugin 'a' adds too",
    );
    await expect(withPluginModules(builtinModules, [at('c')])).rejects.toThrow(
      "plugin 'c' adds a module named 'fs', which is a built-in module",
    );
    await expect(withPluginModules(builtinModules, [at('d')])).rejects.toThrow("plugin 'd': invalid module name 'Bad-Name'");
  });
});

describe("a plugin's modules known by name (lazy)", () => {
  const MODULE =
    'export const m = { name: "greet", doc: "", functions: { hello: { doc: "", args: [], returns: "", run: () => "hi" } } };\n';

  it('are imported once and remembered; later, known by name without importing the plugin', async () => {
    const dir = writeFiles(plugin('p', MODULE));
    const dataDir = dir;
    const p = { name: 'p', root: join(dir, 'p'), type: 'link' as const };
    const [first] = await pluginModules(p, { dataDir, lazy: true });
    expect(first?.lazy).toBeUndefined(); // nothing remembered yet: imported
    expect(Object.keys(first?.functions ?? {})).toEqual(['hello']);
    // The same files: known by name, with no function of its own until `lazy.load` imports it.
    const [known] = await pluginModules({ ...p }, { dataDir, lazy: true });
    expect(known).toMatchObject({ name: 'greet', plugin: 'p', functions: {}, lazy: { functions: ['hello'] } });
    expect((await known?.lazy?.load())?.functions.hello).toBeDefined();
    // Without lazy (listings), the code is imported.
    const [listed] = await pluginModules(p, { dataDir });
    expect(listed?.lazy).toBeUndefined();
  });

  it('are imported again once a file of the plugin changed (a linked plugin rebuilt, one installed again)', async () => {
    const dir = writeFiles(plugin('p', MODULE));
    const dataDir = dir;
    const p = { name: 'p', root: join(dir, 'p'), type: 'link' as const };
    await pluginModules(p, { dataDir, lazy: true });
    writeFileSync(join(dir, 'p/m.js'), 'export const m = { name: "renamed", doc: "", functions: {} };\n');
    utimesSync(join(dir, 'p/m.js'), new Date(), new Date(Date.now() + 5000));
    const found = await pluginModules(p, { dataDir, lazy: true });
    // Not taken from what was remembered: imported (Node's cache of that URL in this process gives the first exports).
    expect(found.map((m) => m.lazy === undefined)).toEqual([true]);
  });

  it('that a plugin no longer exports fail to load naming the plugin and the module', async () => {
    const dir = writeFiles(plugin('p', 'throw new Error("broken build");\n'));
    const dataDir = dir;
    const root = join(dir, 'p');
    const stamp = pluginStamp(root, undefined, join(root, 'm.js')) as string;
    rememberModules(dataDir, root, stamp, [{ name: 'greet', functions: ['hello'] }]);
    const [known] = await pluginModules({ name: 'p', root, type: 'link' }, { dataDir, lazy: true });
    expect(known?.lazy?.functions).toEqual(['hello']);
    await expect(known?.lazy?.load()).rejects.toThrow(/plugin 'p' .*: loading its modules file .*m\.js failed: broken build/);
  });
});

describe("a plugin's stamp", () => {
  it("changes with the plugin's files, not with its dependencies; none past the file limit", () => {
    const dir = writeFiles({
      'p/index.js': 'export {};\n',
      'p/lib/a.js': 'export {};\n',
      'p/node_modules/dep/index.js': 'export {};\n',
    });
    const root = join(dir, 'p');
    const stamp = () => pluginStamp(root, '1.0.0', join(root, 'index.js'));
    const first = stamp();
    expect(first).toBeDefined();
    writeFileSync(join(root, 'node_modules/dep/index.js'), 'export const changed = 1;\n');
    expect(stamp()).toBe(first);
    writeFileSync(join(root, 'lib/a.js'), 'export const changed = 1;\n');
    expect(stamp()).not.toBe(first);
    expect(pluginStamp(root, '1.0.1', join(root, 'index.js'))).not.toBe(stamp());
    const many = writeFiles(Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`f${i}.js`, ''])));
    expect(pluginStamp(many, '1.0.0', join(many, 'f0.js'))).toBeUndefined();
  });
});
