import { type ModuleSpec, moduleDocText, signature, z } from '@sloth/core/internal';

/** A module's documentation as data: what `modules list --format json` prints and editor stubs can be made from. */
export function moduleDoc(module: ModuleSpec) {
  return {
    name: module.name,
    doc: moduleDocText(module),
    functions: Object.entries(module.functions).map(([name, spec]) => ({
      name,
      signature: signature(module.name, name, spec),
      doc: spec.doc,
      args: spec.args.map((a) => ({
        name: a.name,
        optional: a.schema.safeParse(undefined).success,
        doc: a.doc ?? null,
        schema: jsonSchemaOf(a.schema),
      })),
      returns: spec.returns,
      examples: spec.examples ?? [],
    })),
  };
}

function jsonSchemaOf(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
  } catch {
    return {};
  }
}
