// Runs an app's bundle (main.cjs, built by bundle-app.mjs, which copies this file next to it as load.cjs) with V8's
// code cache: compiling the bundle's ~3 MB was about half of loading it. The cache is written after the first run that
// had none (or whose cache this Node refused), named after the bundle's build id: next to the bundle, or, where that
// directory is not writable (a global install run by another user), in the user's cache directory.
'use strict';
const { isAscii } = require('node:buffer');
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { homedir } = require('node:os');
const { join } = require('node:path');
const vm = require('node:vm');

/** Where a cache may be: next to the bundle first, then $XDG_CACHE_HOME/sloth-runner (~/.cache/sloth-runner). */
function cacheDirs() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read when the CLI runs, never by a build step turbo caches
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return [__dirname, join(base, 'sloth-runner')];
}

/** Writes `data` as `name` in the first directory that takes it; in the user's directory, older builds' caches go. */
function writeCache(name, data) {
  for (const [i, dir] of cacheDirs().entries()) {
    const tmp = join(dir, `${name}.${process.pid}.tmp`);
    try {
      if (i > 0) mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(tmp, data);
      renameSync(tmp, join(dir, name));
      if (i > 0) {
        for (const old of readdirSync(dir)) {
          if (old !== name && /^main-.*\.v8cache$/.test(old)) rmSync(join(dir, old), { force: true });
        }
      }
      return;
    } catch {
      // Not writable here (or the rename failed, leaving the temp file): the next directory.
      try {
        rmSync(tmp, { force: true });
      } catch {
        // nothing was written
      }
    }
  }
}

/** Loads and runs dist/bundle/main.cjs once per process; returns its exports. */
function loadBundle() {
  const file = join(__dirname, 'main.cjs');
  const cached = Module._cache[file];
  if (cached) return cached.exports;
  const bytes = readFileSync(file);
  // bundle-app.mjs writes it in ASCII, where latin1 reads the same text without UTF-8's slow decoding.
  const source = isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8');
  const name = `main-${readFileSync(join(__dirname, 'build-id'), 'utf8').trim()}.v8cache`;
  // The bundle holds no import() (bundle-app.mjs turns each into a require()), so the script needs no module loader.
  const compile = (cachedData) => new vm.Script(Module.wrap(source), { filename: file, cachedData });
  let script;
  for (const dir of cacheDirs()) {
    let cachedData;
    try {
      cachedData = readFileSync(join(dir, name));
    } catch {
      continue;
    }
    script = compile(cachedData);
    if (!script.cachedDataRejected) break;
    // Made by another Node: the next directory may hold one this Node wrote.
    script = undefined;
  }
  if (script === undefined) {
    script = compile(undefined);
    const made = script;
    // At exit the cache holds every function this run compiled, not only the top level.
    process.once('exit', () => writeCache(name, made.createCachedData()));
  }
  // The script cannot import() (see above): files known only at run time that are ES modules (a plugin's commands,
  // its Lua modules) are imported through this file, which Node's own loader runs.
  globalThis.__slothImport ??= (url) => import(url);
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
