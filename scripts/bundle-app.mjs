// Bundles a compiled app (its dist/main.js), its dependencies and the workspace packages into dist/bundle/ with
// esbuild: `node ../../scripts/bundle-app.mjs` from apps/cli or apps/agent (their build step).
// Why: Node's ESM loader spent ~250 ms of every command resolving, reading and linking ~1,000 files; a bundle loads
// in a fraction of that (bench/RESULTS.md, start-up). Code reached only through import() stays in chunks of its own,
// loaded when first used (an idle agent does not load the Lua engine).
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const app = process.cwd();
const workspace = dirname(dirname(fileURLToPath(import.meta.url)));
const outdir = join(app, 'dist', 'bundle');

// Loaded from node_modules at run time (so dependencies of the app): native code, or files found next to their own
// module (wasmoon's glue.wasm, piscina's worker script). `typescript` is only an optional require of oclif (reading
// a tsconfig in development).
const external = ['better-sqlite3', 'wasmoon', 'piscina', 'typescript'];

/**
 * Our packages find files next to their module (Lua prelude files, migrations, the goroutine worker, package.json)
 * through import.meta.url, which in a bundle would be the bundle's URL: point each one back at its own file,
 * relative to the bundle so the checkout can move.
 */
const ownFileUrls = {
  name: 'own-file-urls',
  setup(b) {
    const ours = (path) => path.startsWith(workspace + sep) && !path.includes(`${sep}node_modules${sep}`);
    b.onLoad({ filter: /\.js$/ }, async ({ path }) => {
      if (!ours(path)) return undefined;
      const text = await readFile(path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const url = `new URL(${JSON.stringify(relative(outdir, path))}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'js' };
    });
  },
};

await build({
  entryPoints: [join(app, 'dist', 'main.js')],
  outdir,
  bundle: true,
  splitting: true,
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
