import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinModules } from '@sloth/builtin-modules';
import { describe, expect, it } from 'vitest';
import { delegationBundle } from './delegation-bundle.js';
import { WorkflowFile } from './workflow-file.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-bundle-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('delegationBundle', () => {
  it('holds the workflow file and every Lua file it required, by path relative to its directory', async () => {
    const dir = tree({
      'wf/ci.sloth': 'local a = require("lib.a")\ntask("t"):command(function() end):build()\n',
      'wf/lib/a.lua': 'return require("lib.b")',
      'wf/lib/b.lua': 'return 2',
      'wf/unused.lua': 'return 3',
    });
    const file = await WorkflowFile.load({ file: join(dir, 'wf/ci.sloth'), modules: builtinModules });
    try {
      const bundle = delegationBundle(file);
      expect(bundle.entryFile).toBe('ci.sloth');
      expect(Object.keys(bundle.files).sort()).toEqual(['ci.sloth', 'lib/a.lua', 'lib/b.lua']);
      expect(bundle.files['lib/b.lua']).toBe('return 2');
    } finally {
      file.close();
    }
  });

  it('refuses a required file outside the workflow directory, naming it', async () => {
    const dir = tree({
      'wf/ci.sloth': 'local s = require("../shared")\ntask("t"):command(function() end):build()\n',
      'shared.lua': 'return 1',
    });
    const file = await WorkflowFile.load({ file: join(dir, 'wf/ci.sloth'), modules: builtinModules });
    try {
      expect(() => delegationBundle(file)).toThrow(/shared\.lua is required by .*ci\.sloth but lies outside its directory/);
    } finally {
      file.close();
    }
  });
});

describe('delegationBundle data files', () => {
  it('carries the files under the workflow directory that its string literals name, as bytes, and nothing else', async () => {
    const dir = tree({
      'wf/ci.sloth':
        'local lib = require("lib.a")\nlocal conf = { src = "config/nginx.conf", dest = "/etc/nginx/nginx.conf" }\ntask("t"):command(function() return conf end):build()\n',
      'wf/lib/a.lua': "return { tpl = 'templates/app.j2', missing = 'nope.txt', outside = '../secret' }",
      'wf/config/nginx.conf': 'worker_processes 1;\n',
      'wf/templates/app.j2': 'port={{ port }}\n',
      'wf/config/unnamed.conf': 'x',
      secret: 'top',
    });
    const file = await WorkflowFile.load({ file: join(dir, 'wf/ci.sloth'), modules: builtinModules });
    try {
      const { dataFiles } = delegationBundle(file);
      expect(Object.keys(dataFiles).sort()).toEqual(['config/nginx.conf', 'templates/app.j2']);
      expect(Buffer.from(dataFiles['config/nginx.conf'] as Uint8Array).toString()).toBe('worker_processes 1;\n');
    } finally {
      file.close();
    }
  });
});

describe('delegationBundle secret names', () => {
  it('lists the names given as literals to secret.get and secret.exists in the files that travel, and no other', async () => {
    const dir = tree({
      'wf/ci.sloth': [
        'local lib = require("lib.a")',
        'local name = "built_" .. "at_run_time"',
        'task("t"):command(function()',
        "  if secret.exists('maybe_key') then end",
        '  return true, "x", { a = secret.get( "slack_webhook_url" ), b = secret.get(name), c = state.get("not_a_secret") }',
        'end):build()',
      ].join('\n'),
      'wf/lib/a.lua': 'local secret = require("secret")\nreturn function() return secret.get("db_password") end',
    });
    const file = await WorkflowFile.load({ file: join(dir, 'wf/ci.sloth'), modules: builtinModules });
    try {
      expect(delegationBundle(file).secretNames).toEqual(['db_password', 'maybe_key', 'slack_webhook_url']);
    } finally {
      file.close();
    }
  });
});
