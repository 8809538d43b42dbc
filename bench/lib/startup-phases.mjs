// Child script: where the hello workflow's start-up time goes. Imports the same modules the CLI
// loads, in the same order, and times each step from process start (performance.now() counts from
// the process's time origin). Prints one JSON line of cumulative marks in ms.
// Usage: node startup-phases.mjs WORKFLOW_FILE WORKFLOW_NAME
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './paths.mjs';

const [file, name] = process.argv.slice(2);
const marks = { node_boot: performance.now() };

/**
 * The file `import(spec)` would load from package `from`: require.resolve finds the package, then its
 * "import" export is preferred, so a dual package (zod) is loaded as the same ESM instance the CLI uses.
 */
function esmEntry(from, spec) {
  const resolved = createRequire(join(REPO, from, 'package.json')).resolve(spec);
  for (let dir = dirname(resolved); dir !== dirname(dir); dir = dirname(dir)) {
    const pj = join(dir, 'package.json');
    if (!existsSync(pj)) continue;
    const pkg = JSON.parse(readFileSync(pj, 'utf8'));
    if (pkg.name !== spec) continue;
    const e = pkg.exports?.['.'] ?? pkg.exports;
    return typeof e === 'object' && typeof e?.import === 'string' ? join(dir, e.import) : resolved;
  }
  return resolved;
}
const load = (spec, from = 'apps/cli') => import(pathToFileURL(esmEntry(from, spec)).href);

await load('@oclif/core');
marks.import_oclif = performance.now();
// zod is @sloth/core's only dependency; timing it apart shows how much of core's import is zod.
await load('zod', 'packages/core');
marks.import_zod = performance.now();
await load('@sloth/core');
marks.import_sloth_core = performance.now();
const { builtinModules } = await load('@sloth/builtin-modules');
marks.import_builtin_modules = performance.now();
const { WorkflowFile, LuaRuntime } = await load('@sloth/lua');
marks.import_sloth_lua = performance.now();
// The first engine pays for compiling the WASM module; WorkflowFile.load below creates a second one.
(await LuaRuntime.create()).close();
marks.first_lua_engine = performance.now();
const wf = await WorkflowFile.load({ file, modules: builtinModules, values: {}, params: {} });
marks.load_file = performance.now();
const result = await wf.run(wf.findWorkflow(name), { params: {}, observer: () => {} });
marks.run_workflow = performance.now();
wf.close();
if (result.status !== 'success') throw new Error(`hello workflow: ${result.status}`);
process.stdout.write(`${JSON.stringify(marks)}\n`);
