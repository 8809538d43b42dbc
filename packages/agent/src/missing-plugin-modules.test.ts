import { builtinModules } from '@sloth/builtin-modules';
import { describe, expect, it } from 'vitest';
import { missingPluginModules } from './missing-plugin-modules.js';

const slack = { module: 'slack', plugin: 'sloth-plugin-slack', functions: ['send', 'upload'] };

describe('stand-ins for the plugin modules an agent lacks', () => {
  it('one per missing module, with its functions, each failing in Lua with the plugin to install', () => {
    const [stand] = missingPluginModules([slack], builtinModules, 'web-01');
    expect(stand?.name).toBe('slack');
    expect(Object.keys(stand?.functions ?? {})).toEqual(['send', 'upload']);
    expect(stand?.functions.send?.lua).toBe(
      `function() error("module 'slack' is not available on agent 'web-01': install the plugin sloth-plugin-slack there (sloth-runner plugins install sloth-plugin-slack)", 2) end`,
    );
  });

  it('none for a module the agent has; nothing is made of names that could break out of the Lua string', () => {
    expect(missingPluginModules([{ ...slack, module: 'fs' }], builtinModules, 'a')).toEqual([]);
    expect(missingPluginModules([{ ...slack, module: 'x") os.exit() --' }], builtinModules, 'a')).toEqual([]);
    expect(missingPluginModules([{ ...slack, plugin: 'p" .. x .. "' }], builtinModules, 'a')).toEqual([]);
    const [odd] = missingPluginModules([{ ...slack, functions: ['send', 'a"b'] }], builtinModules, 'bad"agent');
    expect(Object.keys(odd?.functions ?? {})).toEqual(['send']);
    expect(odd?.doc).toContain("not available on agent 'this agent'");
  });
});
