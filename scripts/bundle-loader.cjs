// Runs an app's bundle (main.cjs, built by bundle-app.mjs, which copies this file next to it as load.cjs) with V8's
// code cache: compiling the bundle's ~3 MB was about half of loading it. The cache is written next to the bundle after the
// first run that had none (or whose cache this Node could not use), named after the bundle's build id; where the
// directory is not writable the bundle is simply compiled each time.
'use strict';
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

/** Loads and runs dist/bundle/main.cjs once per process; returns its exports. */
function loadBundle() {
  const file = join(__dirname, 'main.cjs');
  const cached = Module._cache[file];
  if (cached) return cached.exports;
  const source = readFileSync(file, 'utf8');
  const cacheFile = join(__dirname, `main-${readFileSync(join(__dirname, 'build-id'), 'utf8').trim()}.v8cache`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // none yet
  }
  // The bundle holds no import() (bundle-app.mjs turns each into a require()), so the script needs no module loader.
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit the cache holds every function this run compiled, not only the top level.
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // a read-only install: compiled each time
      }
    });
  }
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(__dirname);
  // oclif require()s the bundle for its commands: it gets this module instead of running the file again.
  Module._cache[file] = mod;
  try {
    script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, __dirname);
  } catch (err) {
    // As Node's own loader does: a module that failed is not handed out half-made.
    delete Module._cache[file];
    throw err;
  }
  mod.loaded = true;
  return mod.exports;
}

module.exports = { loadBundle };
