// Bundles the compiled CLI (dist/main.js), oclif and the workspace packages into dist/sloth-runner.js with esbuild.
// Why: Node's ESM loader spent ~250 ms of every command resolving, reading and linking ~1,000 files; one file loads in a
// fraction of that (see bench/RESULTS.md, start-up).
import { readFile } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const workspace = dirname(dirname(here));
const outfile = `${here}/dist/sloth-runner.js`;

// Loaded from node_modules at run time (so dependencies of this package): native code, or files found next to their
// own module (wasmoon's glue.wasm, piscina's worker script).
const external = ['better-sqlite3', 'wasmoon', 'piscina', 'typescript'];
// `typescript` is only an optional require of oclif (reading a tsconfig in development), not used by the CLI.

/**
 * Our packages find files next to their module (Lua prelude files, migrations, the goroutine worker) through
 * import.meta.url, which in a bundle would be the bundle's URL: point each one back at its own file, relative to the
 * bundle so the checkout can move.
 */
const ownFileUrls = {
  name: 'own-file-urls',
  setup(b) {
    const ours = (path) => path.startsWith(workspace + sep) && !path.includes(`${sep}node_modules${sep}`);
    b.onLoad({ filter: /\.js$/ }, async ({ path }) => {
      if (!ours(path)) return undefined;
      const text = await readFile(path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const url = `new URL(${JSON.stringify(relative(dirname(outfile), path))}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'js' };
    });
  },
};

await build({
  entryPoints: [`${here}/dist/main.js`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  plugins: [ownFileUrls],
  // CommonJS dependencies inside an ES module still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __slothRequire } from 'node:module'; const require = __slothRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
