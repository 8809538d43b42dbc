// Child script: where the hello workflow's start-up time goes. Imports the CLI's bundle, then runs the
// workflow as the CLI does, and times each step from process start (performance.now() counts from
// the process's time origin). Prints one JSON line of cumulative marks in ms.
// Usage: node startup-phases.mjs WORKFLOW_FILE WORKFLOW_NAME
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './paths.mjs';

const [file, name] = process.argv.slice(2);
const marks = { node_boot: performance.now() };

const load = (spec) => import(pathToFileURL(createRequire(join(REPO, 'apps/cli', 'package.json')).resolve(spec)).href);

// What bin/run.js loads: the bundle of oclif, every command and the packages they use, evaluated (from V8's code
// cache when an earlier run left one).
createRequire(import.meta.url)(join(REPO, 'apps/cli/dist/bundle/load.cjs')).loadBundle();
marks.import_cli = performance.now();
// The bundle does not export the Lua host, so the steps below load it again, file by file; not counted in the total.
const { builtinModules } = await load('@sloth/builtin-modules');
const { WorkflowFile, LuaRuntime } = await load('@sloth/lua');
marks.bench_only_imports = performance.now();
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
