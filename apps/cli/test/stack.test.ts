import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFiles } from './cli.test-helper.js';
import { freshHome, sloth, slothJson } from './stack.test-helper.js';

// The product spec's example, as written.
const SPEC_EXAMPLE = `
local deploy_db = task("deploy-database")
    :description("Deploy database with state tracking")
    :command(function()
        local status, resource = stack.register_resource({
            type = "database",
            name = "postgres-prod",
            module = "terraform",
            properties = {
                engine = "postgres",
                version = "14.5",
                instance_type = "db.t3.medium"
            }
        })

        if status == "unchanged" then
            print("✓ Database already configured correctly")
        elseif status == "changed" then
            print("→ Updating database configuration...")
            stack.update_resource("database", "postgres-prod", {
                state = "applied"
            })
        elseif status == "created" then
            print("→ Creating new database...")
            stack.update_resource("database", "postgres-prod", {
                state = "applied"
            })
        end

        stack.set_output("db_endpoint", "postgres-prod.example.com")
        return true
    end)
    :build()

workflow
    .define("production-infrastructure")
    :description("Complete production setup with state tracking")
    :version("1.0.0")
    :tasks({deploy_db})
`;

/** Registers a file resource per name in params.names (comma-separated), with params.version as a property. */
const REGISTER = `
task("register"):command(function(params)
  for name in string.gmatch(params.names or "a", "[^,]+") do
    local status = stack.register_resource({ type = "thing", name = name, properties = { version = params.version or "1" } })
    log.info(name .. " " .. status)
  end
  return true
end)
workflow.define("things", { tasks = { "register" } })
`;

describe('stacks in workflow run', () => {
  it('runs the spec example twice: created, then unchanged; stack list/show/resources/export show it', async () => {
    const home = freshHome();
    const dir = writeFiles({ 'infra.sloth': SPEC_EXAMPLE });
    const file = join(dir, 'infra.sloth');
    const first = await sloth(home, ['workflow', 'run', 'production', '-f', file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('→ Creating new database...');
    expect(first.stdout).toContain("stack 'production': 1 created, 0 changed, 0 unchanged, 0 deleted");
    expect(first.stdout).toContain('outputs: db_endpoint=postgres-prod.example.com');

    const { r: second, json } = await slothJson(home, ['workflow', 'run', 'production', '-f', file]);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('✓ Database already configured correctly');
    expect(json.stack).toMatchObject({
      name: 'production',
      outputs: { db_endpoint: 'postgres-prod.example.com' },
      resources: { created: 0, changed: 0, unchanged: 1, deleted: 0 },
      orphans: [],
      interrupted_executions: [],
    });

    const list = await sloth(home, ['stack', 'list']);
    expect(list.stdout).toMatch(/production\s+│.*│\s+1\s+│.*success/);
    const show = await sloth(home, ['stack', 'show', 'production']);
    expect(show.stdout).toContain('db_endpoint = postgres-prod.example.com');
    expect(show.stdout).toMatch(/database\s+│\s+postgres-prod\s+│\s+terraform\s+│\s+state=applied/);
    const { json: resources } = await slothJson(home, ['stack', 'resources', 'production']);
    expect(resources).toEqual([
      expect.objectContaining({
        type: 'database',
        name: 'postgres-prod',
        module: 'terraform',
        properties: { engine: 'postgres', version: '14.5', instance_type: 'db.t3.medium' },
        attributes: { state: 'applied' },
        orphan: false,
      }),
    ]);
    const exported = JSON.parse((await sloth(home, ['stack', 'export', 'production'])).stdout);
    expect(exported).toMatchObject({ format: 'sloth-stack', version: 1, stack: { name: 'production' } });
    expect(exported.executions).toHaveLength(2);
  });

  it('reports a changed property, orphans, outputs and history', async () => {
    const home = freshHome();
    const file = join(writeFiles({ 'w.sloth': REGISTER }), 'w.sloth');
    const run = (...p: string[]) =>
      slothJson(home, ['workflow', 'run', 'things', '-f', file, ...p.flatMap((x) => ['--param', x])]);
    const a = await run('names=a,b', 'version=1');
    expect(a.json.stack).toMatchObject({ resources: { created: 2 } });
    const b = await run('names=a', 'version=2');
    expect(b.r.stderr).toContain('[register] a changed');
    expect(b.json.stack).toMatchObject({ resources: { created: 0, changed: 1 }, orphans: [{ type: 'thing', name: 'b' }] });
    const plain = await sloth(home, ['workflow', 'run', 'things', '-f', file, '--param', 'names=a', '--param', 'version=2']);
    expect(plain.stdout).toContain('orphans (in the stack, not registered by this run): thing/b');
    expect(plain.stdout).toContain('0 created, 0 changed, 1 unchanged');

    const { json: history } = await slothJson(home, ['stack', 'history', 'things']);
    expect((history as { status: string }[]).map((e) => e.status)).toEqual(['success', 'success', 'success']);
    expect((history as { resources: { changed: number } }[]).map((e) => e.resources.changed)).toEqual([0, 1, 0]);
    expect(history[0]).toMatchObject({ workflow: 'things', task_counts: { total: 1, success: 1 } });
    const { json: resources } = await slothJson(home, ['stack', 'resources', 'things']);
    expect((resources as { name: string; orphan: boolean }[]).map((r) => [r.name, r.orphan])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });

  it('--stack names the stack; a file with one workflow runs it whatever NAME is', async () => {
    const home = freshHome();
    const file = join(writeFiles({ 'w.sloth': REGISTER }), 'w.sloth');
    const { json } = await slothJson(home, ['workflow', 'run', 'staging', '-f', file]);
    expect(json).toMatchObject({ workflow: 'things', stack: { name: 'staging' } });
    const { json: other } = await slothJson(home, ['workflow', 'run', 'things', '-f', file, '--stack', 'qa']);
    expect(other).toMatchObject({ stack: { name: 'qa', resources: { created: 1 } } });
    const { json: outputs } = await slothJson(home, ['stack', 'outputs', 'qa']);
    expect(outputs).toEqual({});
  });

  it('stack new, export | import round trip, delete', async () => {
    const home = freshHome();
    const file = join(writeFiles({ 'infra.sloth': SPEC_EXAMPLE }), 'infra.sloth');
    expect((await sloth(home, ['stack', 'new', 'production', '--description', 'prod'])).code).toBe(0);
    expect((await sloth(home, ['stack', 'new', 'production'])).stderr).toContain("stack 'production' already exists");
    await sloth(home, ['workflow', 'run', 'production', '-f', file]);
    const exportText = (await sloth(home, ['stack', 'export', 'production'])).stdout;
    const exportFile = join(writeFiles({}), 'production.json');
    writeFileSync(exportFile, exportText);

    const other = freshHome();
    const imported = await sloth(other, ['stack', 'import', exportFile]);
    expect(imported.code, imported.stderr).toBe(0);
    const again = JSON.parse((await sloth(other, ['stack', 'export', 'production'])).stdout);
    expect({ ...again, exportedAt: '' }).toEqual({ ...JSON.parse(exportText), exportedAt: '' });
    // The imported stack carries on: the next run finds its resource unchanged.
    const { json } = await slothJson(other, ['workflow', 'run', 'production', '-f', file]);
    expect(json.stack).toMatchObject({ resources: { unchanged: 1 } });

    expect((await sloth(home, ['stack', 'import', exportFile])).stderr).toContain('already exists');
    expect((await sloth(home, ['stack', 'import', exportFile, '--name', 'copy'])).code).toBe(0);
    expect((await slothJson(home, ['stack', 'resources', 'copy'])).json).toHaveLength(1);
    expect((await sloth(home, ['stack', 'delete', 'copy'])).stdout).toContain("deleted stack 'copy'");
    const gone = await sloth(home, ['stack', 'show', 'copy']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("stack 'copy' not found");
  });

  it('stack drift: an fs file resource edited or removed behind our back', async () => {
    const home = freshHome();
    const dir = writeFiles({});
    const target = join(dir, 'motd');
    writeFileSync(
      join(dir, 'w.sloth'),
      `
task("motd"):command(function()
  fs.write("${target}", "hello\\n")
  stack.register_resource({ type = "file", name = "motd", module = "fs", properties = { path = "${target}", content = "hello\\n" } })
  stack.register_resource({ type = "database", name = "pg", module = "terraform", properties = {} })
end)
workflow.define("files", { tasks = { "motd" } })`,
    );
    expect((await sloth(home, ['workflow', 'run', 'files', '-f', join(dir, 'w.sloth')])).code).toBe(0);
    const clean = await slothJson(home, ['stack', 'drift', 'files']);
    expect(clean.r.code).toBe(0);
    expect(clean.json).toMatchObject({
      drifted: 0,
      resources: [
        { type: 'database', status: 'not_checkable' },
        { type: 'file', name: 'motd', status: 'in_sync' },
      ],
    });
    writeFileSync(target, 'edited by hand\n');
    const drifted = await sloth(home, ['stack', 'drift', 'files']);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toMatch(/file\s+│\s+motd\s+│\s+fs\s+│\s+drifted\s+│\s+content: hello/);
    const { json } = await slothJson(home, ['stack', 'drift', 'files']);
    expect((json.resources as unknown[])[1]).toMatchObject({
      status: 'drifted',
      differences: [{ property: 'content', recorded: 'hello\n', current: 'edited by hand\n' }],
    });
    expect(readFileSync(target, 'utf8')).toBe('edited by hand\n');
    rmSync(target);
    const missing = await slothJson(home, ['stack', 'drift', 'files']);
    expect(missing.r.code).toBe(1);
    expect((missing.json.resources as unknown[])[1]).toMatchObject({ status: 'missing' });
  });

  it('stack commands name a missing stack and what to do', async () => {
    const r = await sloth(freshHome(), ['stack', 'resources', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("stack 'nope' not found");
    expect(r.stderr).toContain('stack list');
  });
});
