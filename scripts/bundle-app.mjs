// Bundles a compiled app (its dist/main.js), its dependencies and the workspace packages into dist/bundle/ with
// esbuild: `node ../../scripts/bundle-app.mjs [--code-cache]` from apps/cli or apps/agent (their build step).
// Why: Node's ESM loader spent much of every command's start resolving, reading and linking ~1,000 files; a bundle
// loads in a fraction of that (bench/RESULTS.md, start-up).
// Two shapes, for two kinds of process:
// - --code-cache (the CLI, which starts for every command): one CommonJS file, main.cjs, run by the loader next to it
//   (bundle-loader.cjs, copied as load.cjs) from V8's code cache: only a script can use one on Node 20, and compiling
//   the bundle was most of loading it (bench/RESULTS.md, start-up).
// - default (the agent, which starts once and then idles on every machine): ES modules, main.js and chunks; code
//   reached only through import() stays in chunks read when first used (an idle agent does not load the Lua engine).
//   As one script the idle agent took 8 MB more (73 against 65 MB RSS): the whole file is parsed and held.
import { createHash } from 'node:crypto';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const app = process.cwd();
const workspace = dirname(dirname(fileURLToPath(import.meta.url)));
const outdir = join(app, 'dist', 'bundle');

// Loaded from node_modules at run time (so dependencies of the app): native code, or files found next to their own
// module (wasmoon's glue.wasm, piscina's worker script). `typescript` is only an optional require of oclif (reading
// a tsconfig in development).
const external = ['better-sqlite3', '@lydell/node-pty', 'wasmoon', 'piscina', 'typescript', 'ssh2'];

/** The directory and name of the workspace package that holds `file` (its nearest package.json). */
async function packageOf(file) {
  for (let dir = dirname(file); dir !== workspace; dir = dirname(dir)) {
    try {
      return { dir, name: JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).name };
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
  }
  throw new Error(`${file}: in no package of the workspace`);
}

/**
 * Our packages find files next to their module (Lua prelude files, migrations, the goroutine worker, the modules'
 * own files goroutine threads import, package.json) through import.meta.url, which in a bundle would be the bundle's
 * URL: point each one back at its own file. The app's own files are found relative to the bundle (they travel with
 * it); another package's through its installed package.json at run time (an npm install puts it elsewhere than the
 * workspace does), else relative to the bundle (in the workspace, packages the app does not depend on directly).
 */
const ownFileUrls = {
  name: 'own-file-urls',
  setup(b) {
    const ours = (path) => path.startsWith(workspace + sep) && !path.includes(`${sep}node_modules${sep}`);
    b.onLoad({ filter: /\.js$/ }, async ({ path }) => {
      if (!ours(path)) return undefined;
      const text = await readFile(path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const fromBundle = `new URL(${JSON.stringify(relative(outdir, path).split(sep).join('/'))}, import.meta.url).href`;
      let url = fromBundle;
      if (!path.startsWith(app + sep)) {
        const pkg = await packageOf(path);
        const inPackage = JSON.stringify(relative(pkg.dir, path).split(sep).join('/'));
        const manifest = JSON.stringify(`${pkg.name}/package.json`);
        url = `(() => { try { return new URL(${inPackage}, require('node:url').pathToFileURL(require.resolve(${manifest}))).href; } catch { return ${fromBundle}; } })()`;
      }
      return { contents: text.replaceAll('import.meta.url', url), loader: 'js' };
    });
  },
};

/**
 * oclif import()s the ES modules of plugins (their commands and hooks): in the script bundle that has no module
 * loader, so those calls go through the loader's importer (scripts/bundle-loader.cjs sets `__slothImport`).
 */
const oclifImports = {
  name: 'oclif-imports',
  setup(b) {
    b.onLoad({ filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]module-loader\.js$/ }, async ({ path }) => {
      const text = await readFile(path, 'utf8');
      const contents = text.replaceAll('await import(', 'await globalThis.__slothImport(');
      if (contents === text) throw new Error(`${path}: no import() to route through the bundle's loader`);
      return { contents, loader: 'js' };
    });
  },
};

const common = {
  entryPoints: [join(app, 'dist', 'main.js')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  external,
  plugins: [ownFileUrls],
  logLevel: 'warning',
};

// Files of an earlier build must go: stale chunks, and above all a code cache made for another bundle.
await rm(outdir, { recursive: true, force: true });
if (process.argv.includes('--code-cache')) {
  await build({
    ...common,
    outfile: join(outdir, 'main.cjs'),
    format: 'cjs',
    // ES modules say import.meta.url; a script has its __filename.
    define: { 'import.meta.url': '__slothBundleUrl' },
    banner: { js: "var __slothBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    // import() becomes a lazy require(): a script run by the loader has no module loader for import().
    supported: { 'dynamic-import': false },
    plugins: [ownFileUrls, oclifImports],
  });
  // ASCII only: the loader can then read the bundle as latin1, several times faster than decoding UTF-8. esbuild keeps
  // comments and regular expressions as written; a \u escape means the same character in each of those places.
  const bundle = (await readFile(join(outdir, 'main.cjs'), 'utf8')).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  await writeFile(join(outdir, 'main.cjs'), bundle);
  // The loader names the code cache after the bundle's content: V8 itself only checks the source's length.
  const id = createHash('sha256').update(bundle).digest('hex').slice(0, 16);
  await copyFile(join(workspace, 'scripts', 'bundle-loader.cjs'), join(outdir, 'load.cjs'));
  await writeFile(join(outdir, 'build-id'), id);
} else {
  await build({
    ...common,
    outdir,
    splitting: true,
    format: 'esm',
    // CommonJS dependencies inside an ES module still call require() for Node's built-ins.
    banner: {
      js: "import { createRequire as __slothRequire } from 'node:module'; const require = __slothRequire(import.meta.url);",
    },
  });
}
