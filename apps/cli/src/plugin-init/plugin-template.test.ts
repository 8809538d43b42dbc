import { describe, expect, it } from 'vitest';
import { moduleNameFor, pluginFiles } from './plugin-template.js';

describe('the plugin skeleton', () => {
  it('names its module after the package, as Lua can name it', () => {
    expect(moduleNameFor('sloth-plugin-greet')).toBe('greet');
    expect(moduleNameFor('@acme/sloth-plugin-deploy-tools')).toBe('deploy_tools');
    expect(moduleNameFor('my.plugin')).toBe('my_plugin');
    expect(moduleNameFor('sloth-plugin-9lives')).toBe('plugin_9lives');
  });

  it('declares its modules file in package.json and @sloth/core as a peer of the given version', () => {
    const files = pluginFiles({ pkg: 'sloth-plugin-greet', module: 'greet' }, '0.1.0', '4.8.4');
    const pkg = JSON.parse(files['package.json'] as string);
    expect(pkg.sloth).toEqual({ modules: './dist/modules.js' });
    expect(pkg.peerDependencies).toEqual({ '@sloth/core': '^0.1.0' });
    expect(Object.keys(files)).toEqual([
      'package.json',
      'tsconfig.json',
      'src/modules.ts',
      'src/commands/greet/hello.ts',
      'scripts/manifest.mjs',
      'README.md',
    ]);
  });
});
