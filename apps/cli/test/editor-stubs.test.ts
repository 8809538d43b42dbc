// `modules stubs` end to end: the real CLI writes the LuaLS stubs and merges its settings into a project's
// .luarc.json; a broken .luarc.json or an unwritable --out is a usage error that changes nothing it should not.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModules } from '@sloth/builtin-modules';
import { describe, expect, it } from 'vitest';
import { runCli, writeFiles } from './cli.test-helper.js';

const STUB_FILES = ['sloth.lua', ...builtinModules.map((m) => `${m.name}.lua`)].sort();

describe('modules stubs', () => {
  it('writes a stub per module and the language into .sloth/types, and a .luarc.json using them', async () => {
    const dir = writeFiles({});
    const r = await runCli(['modules', 'stubs'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${STUB_FILES.length} stub files to .sloth/types and .luarc.json`);
    expect(readdirSync(join(dir, '.sloth/types')).sort()).toEqual(STUB_FILES);
    expect(readFileSync(join(dir, '.sloth/types/fs.lua'), 'utf8')).toMatch(/^---@meta fs\n[\s\S]*\nreturn fs\n$/);
    expect(JSON.parse(readFileSync(join(dir, '.luarc.json'), 'utf8'))).toEqual({
      runtime: { version: 'Lua 5.4' },
      workspace: { library: ['.sloth/types'], checkThirdParty: false },
    });
  });

  it('merges into a .luarc.json the project has, and --no-luarc leaves it alone', async () => {
    const mine = { diagnostics: { disable: ['lowercase-global'] }, workspace: { library: ['lib'] } };
    const dir = writeFiles({ '.luarc.json': JSON.stringify(mine) });
    const r = await runCli(['modules', 'stubs', '--out', 'types'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const merged = JSON.parse(readFileSync(join(dir, '.luarc.json'), 'utf8'));
    expect(merged).toEqual({
      diagnostics: { disable: ['lowercase-global'] },
      runtime: { version: 'Lua 5.4' },
      workspace: { library: ['lib', 'types'], checkThirdParty: false },
    });
    const again = await runCli(['modules', 'stubs', '--out', 'types'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, '.luarc.json'), 'utf8'))).toEqual(merged);
    const untouched = writeFiles({ '.luarc.json': '{"x": 1}' });
    const no = await runCli(['modules', 'stubs', '--no-luarc'], { cwd: untouched });
    expect(no.code, no.stderr).toBe(0);
    expect(no.stdout).toContain(`wrote ${STUB_FILES.length} stub files to .sloth/types\n`);
    expect(readFileSync(join(untouched, '.luarc.json'), 'utf8')).toBe('{"x": 1}');
  });

  it('refuses a .luarc.json that is not JSON, writing nothing, and an --out that is a file', async () => {
    const dir = writeFiles({ '.luarc.json': '{ "runtime": ', afile: 'x' });
    const broken = await runCli(['modules', 'stubs'], { cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(
      /^error: \.luarc\.json is not valid JSON \(.*\); nothing was changed in it\n {2}hint: .*--no-luarc/,
    );
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, '.sloth'))).toBe(false);
    expect(readFileSync(join(dir, '.luarc.json'), 'utf8')).toBe('{ "runtime": ');
    const file = await runCli(['modules', 'stubs', '--out', 'afile', '--no-luarc'], { cwd: dir });
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/^error: cannot write the Lua stubs to afile: EEXIST/);
    expect(file.stderr).toContain('hint: pass --out with a directory you can write');
  });
});
