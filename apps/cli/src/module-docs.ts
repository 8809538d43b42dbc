import { argJsonSchema, findTool, type ModuleSpec, moduleDocText, signature } from '@sloth/core/internal';

/** A module's documentation as data: what `modules list --format json` prints and editor stubs can be made from. */
export function moduleDoc(module: ModuleSpec) {
  return {
    name: module.name,
    doc: moduleDocText(module),
    ...(module.tools ? { tools: toolsFound(module) } : {}),
    functions: Object.entries(module.functions).map(([name, spec]) => ({
      name,
      signature: signature(module.name, name, spec),
      doc: spec.doc,
      args: spec.args.map((a) => ({
        name: a.name,
        optional: a.schema.safeParse(undefined).success,
        doc: a.doc ?? null,
        schema: argJsonSchema(a.schema),
      })),
      returns: spec.returns,
      examples: spec.examples ?? [],
    })),
  };
}

/** The CLIs a module runs, and where each was found on this machine (path null: not found). */
export function toolsFound(module: ModuleSpec) {
  return (module.tools ?? []).map((t) => ({ command: t.command, env_var: t.envVar, path: findTool(t, process.env) ?? null }));
}

/** One line saying which of a module's CLIs were found ("docker: /usr/bin/docker"), or undefined when it runs none. */
export function toolsLine(module: ModuleSpec): string | undefined {
  if (!module.tools) return undefined;
  return toolsFound(module)
    .map((t) => `${t.command}: ${t.path ?? `not found (install it, or set ${t.env_var})`}`)
    .join('; ');
}
