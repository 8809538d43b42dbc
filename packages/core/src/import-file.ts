/** The loader of the CLI's bundle offers this: a bundle run as a script has no module loader for `import()`. */
type Importer = (url: string) => Promise<unknown>;

/**
 * `import()` of a file chosen at run time (a plugin's): through the importer the CLI bundle's loader sets on
 * `globalThis.__slothImport` when there is one (see scripts/bundle-loader.cjs), else Node's own.
 */
export function importFile(url: string): Promise<unknown> {
  const viaLoader = (globalThis as { __slothImport?: Importer }).__slothImport;
  return viaLoader ? viaLoader(url) : import(url);
}
