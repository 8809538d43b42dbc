import type { FunctionSpec, ModuleSpec } from '@sloth/core';

// What may appear in the Lua source made below: names only (a module, a function, an npm package, an agent).
const MODULE = /^[a-z][a-z0-9_]{0,127}$/;
const FUNCTION = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const PACKAGE = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]{0,213}$/;
const AGENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Stand-ins for the plugin modules the sending side has and this agent has not: a global of the same name whose
 * every function fails, where the workflow calls it, saying which plugin to install on this agent.
 */
export function missingPluginModules(
  wanted: readonly { module: string; plugin: string; functions: readonly string[] }[],
  have: readonly ModuleSpec[],
  agent: string,
): ModuleSpec[] {
  const names = new Set(have.map((m) => m.name));
  const safeAgent = AGENT.test(agent) ? agent : 'this agent';
  return wanted.flatMap((w) => {
    if (names.has(w.module) || !MODULE.test(w.module) || !PACKAGE.test(w.plugin)) return [];
    const message = `module '${w.module}' is not available on agent '${safeAgent}': install the plugin ${w.plugin} there (sloth-runner plugins install ${w.plugin})`;
    // A Lua function, so that any arguments are taken and the error names the caller's file:line.
    const spec: FunctionSpec = {
      doc: message,
      args: [],
      returns: 'nothing',
      run: () => undefined,
      lua: `function() error(${JSON.stringify(message)}, 2) end`,
    };
    const functions = Object.fromEntries(w.functions.filter((f) => FUNCTION.test(f)).map((f) => [f, spec]));
    return [{ name: w.module, doc: message, functions, plugin: w.plugin }];
  });
}
