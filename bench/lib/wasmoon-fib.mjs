// Child script: fib(n) on bare wasmoon (the engine our Lua runs on), without and with a count hook
// like the runtime's, to split "WASM cost" from "hook cost". Prints one JSON line.
// Usage: node wasmoon-fib.mjs N RUNS
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './paths.mjs';
import { FIB_LUA } from './workflows.mjs';

const n = Number(process.argv[2] ?? 30);
const runs = Number(process.argv[3] ?? 3);
const require = createRequire(join(REPO, 'packages', 'lua', 'package.json'));
const { LuaFactory } = await import(pathToFileURL(require.resolve('wasmoon')).href);

const COUNT_MASK = 8;
const HOOK_EVERY = 10_000;
const code = `${FIB_LUA}
local t0 = os.clock()
local r = fib(${n})
return string.format("%.3f", (os.clock() - t0) * 1000)`;

async function once(withHook) {
  const engine = await new LuaFactory().createEngine();
  let hook;
  try {
    if (withHook) {
      const lua = engine.global.lua;
      hook = lua.module.addFunction(() => {}, 'vii');
      lua.lua_sethook(engine.global.address, hook, COUNT_MASK, HOOK_EVERY);
    }
    const t0 = performance.now();
    const luaMs = Number(await engine.doString(code));
    return { luaMs, jsMs: performance.now() - t0 };
  } finally {
    if (hook !== undefined) engine.global.lua.module.removeFunction(hook);
    engine.global.close();
  }
}

const out = { plain: [], hook: [] };
for (let i = 0; i < runs; i++) {
  out.plain.push(await once(false));
  out.hook.push(await once(true));
}
process.stdout.write(`${JSON.stringify(out)}\n`);
