import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTestServers } from '../../../packages/modules/http/src/test-server.test-helper.js';
import { REPO, runCli, writeFiles } from './cli.test-helper.js';
import { fleetHome, startAgent, startMaster, withMaster } from './fleet.test-helper.js';

const server = useTestServers();
const SLACK = join(REPO, 'examples/plugins/slack');

/**
 * The plugin manager's own directories (oclif's data, config and cache), fresh for one test: nothing of the real
 * ones is read or written. Every CLI child this file starts gets one (processes started without it get this file's).
 */
function pluginDirs(): Record<string, string> {
  const root = mkdtempSync(join(tmpdir(), 'sloth-plugins-'));
  return {
    SLOTH_RUNNER_DATA_DIR: join(root, 'data'),
    SLOTH_RUNNER_CONFIG_DIR: join(root, 'config'),
    SLOTH_RUNNER_CACHE_DIR: join(root, 'cache'),
  };
}
Object.assign(process.env, pluginDirs());

/** The CLI with plugin directories `env`. */
const cli = (env: Record<string, string>, args: string[], cwd?: string) =>
  runCli(args, { env, ...(cwd ? { cwd } : {}), timeoutMs: 60_000 });

/** Links a plugin directory (its dependencies are the workspace's), failing the test if that fails. */
async function link(env: Record<string, string>, dir: string): Promise<void> {
  const r = await cli(env, ['plugins', 'link', dir, '--no-install']);
  expect(r.stderr + r.stdout).not.toMatch(/error/i);
  expect(r.code).toBe(0);
}

const NOTIFY = `task("notify"):command(function()
  local s = require("slack")
  log.info("same table: " .. tostring(s == slack))
  local r = slack.send({ webhook = values.hook, text = "deployed", blocks = { { type = "divider" } } })
  log.info("posted: " .. r.status)
  local ok, status = goroutine.await(goroutine.async(function()
    return slack.send({ webhook = values.hook, text = "from a goroutine" }).status
  end))
  if not ok then error(status) end
  log.info("goroutine posted: " .. status)
end):build()
`;

const BAD_ARGS = `task("bad"):command(function()
  slack.send({ text = "no webhook" })
end):build()
`;

describe('plugins (oclif plugin manager): commands and Lua modules', () => {
  it('a linked plugin is listed, adds a command and a module a workflow uses as a global, by require and in goroutines; uninstalled, it is gone', async () => {
    const env = pluginDirs();
    const s = await server((_req, res) => res.end('ok'));
    await link(env, SLACK);

    const list = await cli(env, ['plugins', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/sloth-plugin-slack 0\.1\.0.*link.*slack/s);
    const json = JSON.parse((await cli(env, ['plugins', 'list', '--format', 'json'])).stdout);
    expect(json).toEqual([expect.objectContaining({ name: 'sloth-plugin-slack', type: 'link', modules: ['slack'] })]);
    const oclifList = await cli(env, ['plugins']);
    expect(oclifList.stdout).toContain('sloth-plugin-slack 0.1.0 (link)');
    // Loaded lazily: another command reads the plugin's manifest and imports none of its files.
    const traced = await cli({ ...env, DEBUG: 'oclif:config:sloth-plugin-slack' }, ['version']);
    expect(traced.code).toBe(0);
    expect(traced.stderr).toContain(`using manifest from ${join(SLACK, 'oclif.manifest.json')}`);
    expect(traced.stderr).not.toContain('(import)');

    // Its command, through the CLI.
    const hook = `${s.url}/hook`;
    const test = await cli(env, ['slack', 'test-webhook', hook, '--text', 'ping']);
    expect(test.stderr).toBe('');
    expect(test.stdout).toContain('the webhook answered HTTP 200');
    expect(JSON.parse(s.received[0]?.body ?? '')).toEqual({ text: 'ping' });

    // Its module, in modules list and the stubs, beside the built-in ones.
    const modules = await cli(env, ['modules', 'list']);
    expect(modules.stdout).toMatch(/slack\s+│ Posts messages to Slack/);
    expect(modules.stdout).toMatch(/\bhttp\s+│/);
    const one = JSON.parse((await cli(env, ['modules', 'list', '--module', 'slack', '--format', 'json'])).stdout);
    expect(one.functions.map((f: { name: string }) => f.name)).toEqual(['send']);
    const stubsDir = mkdtempSync(join(tmpdir(), 'sloth-stubs-'));
    expect((await cli(env, ['modules', 'stubs', '--out', 'types', '--no-luarc'], stubsDir)).code).toBe(0);
    expect(readFileSync(join(stubsDir, 'types/slack.lua'), 'utf8')).toContain('function slack.send(');
    // A new project gets them too.
    expect((await cli(env, ['workflow', 'init', 'project', '--template', 'basic'], stubsDir)).code).toBe(0);
    expect(readFileSync(join(stubsDir, 'project/.sloth/types/slack.lua'), 'utf8')).toContain('function slack.send(');
    expect(existsSync(join(stubsDir, 'project/.sloth/types/http.lua'))).toBe(true);

    // A workflow: the global, require, and a goroutine (a worker thread imports the module itself).
    const dir = writeFiles({ 'notify.sloth': NOTIFY, 'bad.sloth': BAD_ARGS });
    const run = await cli(env, ['workflow', 'run', '-f', 'notify.sloth', '--set', `hook=${hook}`], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[notify] same table: true');
    expect(run.stdout).toContain('[notify] posted: 200');
    expect(run.stdout).toContain('[notify] goroutine posted: 200');
    expect(s.received.slice(1).map((r) => JSON.parse(r.body))).toEqual([
      { text: 'deployed', blocks: [{ type: 'divider' }] },
      { text: 'from a goroutine' },
    ]);
    // Its arguments are checked like a built-in module's.
    const bad = await cli(env, ['workflow', 'run', '-f', 'bad.sloth'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/bad\.sloth:2: slack\.send: argument #1 \(opts\) field 'webhook'/);

    const removed = await cli(env, ['plugins', 'uninstall', 'sloth-plugin-slack']);
    expect(removed.code).toBe(0);
    expect((await cli(env, ['plugins', 'list'])).stdout).toContain('no plugins installed');
    const gone = await cli(env, ['workflow', 'run', '-f', 'notify.sloth', '--set', `hook=${hook}`], dir);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toContain("notify.sloth:2: module 'slack' not found");
    expect((await cli(env, ['slack', 'test-webhook', hook])).stderr).toContain("unknown command 'slack test-webhook");
    expect(s.received).toHaveLength(3);
  });

  it('a broken plugin stops the commands that load modules with an error naming it, never a stack trace; the others work', async () => {
    const plugins = writeFiles({
      'bad-field/package.json': JSON.stringify({ name: 'bad-field', version: '1.0.0', oclif: {}, sloth: { module: 'x.js' } }),
      'throws/package.json': JSON.stringify({
        name: 'sloth-plugin-throws',
        version: '1.0.0',
        type: 'module',
        oclif: {},
        sloth: { modules: './modules.js' },
      }),
      'throws/modules.js': 'throw new Error("cannot start: no API key");\n',
      'clash/package.json': JSON.stringify({
        name: 'sloth-plugin-clash',
        version: '1.0.0',
        type: 'module',
        oclif: {},
        sloth: { modules: './modules.js' },
      }),
      'clash/modules.js': 'export const mine = { name: "http", doc: "mine", functions: {} };\n',
      'w.sloth': 'task("t"):command(function() log.info("ran") end):build()\n',
    });
    const cases = [
      ['bad-field', `plugin 'bad-field' (${join(plugins, 'bad-field')}): its package.json field "sloth" must be { "modules"`],
      ['throws', `plugin 'sloth-plugin-throws' (${join(plugins, 'throws')}): loading its modules file`],
      ['clash', "plugin 'sloth-plugin-clash' adds a module named 'http', which is a built-in module"],
    ] as const;
    for (const [dir, message] of cases) {
      const env = pluginDirs();
      await link(env, join(plugins, dir));
      for (const args of [
        ['workflow', 'run', '-f', 'w.sloth'],
        ['modules', 'list'],
      ]) {
        const r = await cli(env, args, plugins);
        expect(r.code, `${dir}: ${args.join(' ')}`).toBe(2);
        expect(r.stderr).toContain(`error: ${message}`);
        expect(r.stderr).toMatch(/hint: .*sloth-runner plugins uninstall/);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      if (dir === 'throws') expect((await cli(env, ['modules', 'list'], plugins)).stderr).toContain('cannot start: no API key');
      // plugins list says what is wrong, and the commands that load no module are untouched.
      const list = await cli(env, ['plugins', 'list', '--format', 'json']);
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout)[0]).toMatchObject({ type: 'link', modules: [] });
      expect(JSON.parse(list.stdout)[0].error).toContain(message);
      expect((await cli(env, ['version'])).code).toBe(0);
      expect((await cli(env, ['plugins', 'uninstall', JSON.parse(list.stdout)[0].name])).code).toBe(0);
      expect((await cli(env, ['workflow', 'run', '-f', 'w.sloth'], plugins)).code).toBe(0);
    }
  });

  it('a delegated task uses the module on an agent that has the plugin; an agent without it names the plugin to install', async () => {
    const withPlugin = pluginDirs();
    const without = pluginDirs();
    await link(withPlugin, SLACK);
    const s = await server((_req, res) => res.end('ok'));
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agents = [
      startAgent(home, 'has-slack', master.url, tokenFile, { env: withPlugin }),
      startAgent(home, 'no-slack', master.url, tokenFile, { env: without, standalone: true }),
    ];
    await Promise.all(agents.map((a) => a.waitFor(/registered with the master/)));
    const dir = writeFiles({
      'remote.sloth': `task("notify"):delegate_to(values.agent):command(function(this)
  local r = slack.send({ webhook = values.hook, text = "from " .. this.agent.get() })
  local me = this.agent.get()
  local ok, v = goroutine.await(goroutine.async(function()
    return slack.send({ webhook = values.hook, text = "goroutine on " .. me }).status
  end))
  if not ok then error(v) end
  log.info("posted " .. r.status .. " and " .. v)
end):build()
`,
    });
    const run = (agent: string) =>
      cli(
        withPlugin,
        [
          'workflow',
          'run',
          '-f',
          'remote.sloth',
          ...withMaster(master.url, tokenFile),
          '--set',
          `hook=${s.url}/x`,
          '--set',
          `agent=${agent}`,
        ],
        dir,
      );
    const ok = await run('has-slack');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('[notify@has-slack] posted 200 and 200');
    expect(s.received.map((r) => JSON.parse(r.body))).toEqual([{ text: 'from has-slack' }, { text: 'goroutine on has-slack' }]);
    const missing = await run('no-slack');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(
      "remote.sloth:2: module 'slack' is not available on agent 'no-slack': install the plugin sloth-plugin-slack there (sloth-runner plugins install sloth-plugin-slack)",
    );
    expect(s.received).toHaveLength(2);
  });

  it('plugins init writes a plugin that builds, links, and adds its command and module', async () => {
    const env = pluginDirs();
    const root = mkdtempSync(join(tmpdir(), 'sloth-plugin-init-'));
    const made = await cli(env, ['plugins', 'init', 'sloth-plugin-greet'], root);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain("created plugin sloth-plugin-greet (Lua module 'greet') in sloth-plugin-greet");
    const dir = join(root, 'sloth-plugin-greet');
    // Its @oclif/core is the range the CLI has.
    const cliPkg = JSON.parse(readFileSync(join(REPO, 'apps/cli/package.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.dependencies['@oclif/core']).toBe(cliPkg.dependencies['@oclif/core']);
    expect((await cli(env, ['plugins', 'init', 'sloth-plugin-greet'], root)).stderr).toContain('exist(s) already');
    expect((await cli(env, ['plugins', 'init', 'Bad Name'], root)).code).toBe(2);
    // Its dependencies as `npm install` would give them, from this checkout (no registry here).
    const deps: [string, string][] = [
      ['@sloth/core', join(REPO, 'packages/core')],
      ['@oclif/core', join(REPO, 'apps/cli/node_modules/@oclif/core')],
      ['@types/node', join(REPO, 'node_modules/@types/node')],
    ];
    for (const [name, target] of deps) {
      mkdirSync(join(dir, 'node_modules', name, '..'), { recursive: true });
      symlinkSync(target, join(dir, 'node_modules', name));
    }
    // Its build script (`npm run build`), step by step: tsc, then the oclif manifest.
    const run = promisify(execFile);
    await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', dir]);
    await run(process.execPath, ['scripts/manifest.mjs'], { cwd: dir });
    expect(existsSync(join(dir, 'dist/modules.js'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'oclif.manifest.json'), 'utf8')).commands).toHaveProperty(['greet:hello']);
    await link(env, dir);
    expect((await cli(env, ['greet', 'hello', 'bob'])).stdout).toBe('hello bob\n');
    const wf = writeFiles({ 'w.sloth': 'task("t"):command(function() log.info(greet.hello("sloth")) end):build()\n' });
    const r = await cli(env, ['workflow', 'run', '-f', 'w.sloth'], wf);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[t] greeting sloth');
    expect(r.stdout).toContain('[t] hello sloth');
  });

  it("a workflow that does not name a plugin's module does not import the plugin once its names are remembered", async () => {
    const env = pluginDirs();
    const root = mkdtempSync(join(tmpdir(), 'sloth-marker-plugin-'));
    const mark = join(root, 'imports.log');
    // A plugin whose modules file records each import of it (a plain module object: no dependencies to install).
    const dir = writeFiles({
      'package.json': JSON.stringify({
        name: 'sloth-plugin-marker',
        version: '1.0.0',
        type: 'module',
        oclif: {},
        sloth: { modules: './m.js' },
      }),
      'm.js': `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(mark)}, 'imported\\n');
export const marker = { name: 'marker', doc: 'Counts its imports.', functions: {
  ping: { doc: 'Answers pong.', args: [], returns: 'string', run: () => 'pong' },
} };
`,
    });
    await link(env, dir);
    const imports = () => (existsSync(mark) ? readFileSync(mark, 'utf8').split('\n').filter(Boolean).length : 0);
    const wf = writeFiles({
      'plain.sloth': 'task("t"):command(function() log.info("no plugin here") end):build()\n',
      'uses.sloth': 'task("t"):command(function() log.info("marker says " .. marker.ping()) end):build()\n',
    });
    const plain = () => cli(env, ['workflow', 'run', '-f', 'plain.sloth'], wf);
    expect((await plain()).code).toBe(0);
    expect(imports()).toBe(1); // the first run imports it and remembers its module's names
    expect((await plain()).code).toBe(0);
    expect(imports()).toBe(1); // known by name: not imported
    const uses = await cli(env, ['workflow', 'run', '-f', 'uses.sloth'], wf);
    expect(uses.stdout).toContain('[t] marker says pong');
    expect(imports()).toBe(2);
    // A listing needs every function: it imports the plugin.
    expect((await cli(env, ['modules', 'list', '--module', 'marker'])).stdout).toContain('ping');
    expect(imports()).toBe(3);
  });
});
