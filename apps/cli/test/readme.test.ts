import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, writeFiles } from './cli.test-helper.js';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const blocks = (lang: string) =>
  [...readme.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] as string);

describe('the README stays true', () => {
  it('its module reference is what the modules say about themselves', async () => {
    // @ts-expect-error: a plain .mjs script without types
    const { moduleReference } = await import('../../../scripts/module-reference.mjs');
    expect(readme).toContain(moduleReference());
  });

  it('CI runs the test command the README gives', () => {
    expect(readme).toContain('```bash\npnpm test\n```');
    expect(readFileSync(join(REPO, '.ci/run'), 'utf8')).toMatch(/^pnpm test$/m);
  });

  it('every Lua example headed by a file name runs', async () => {
    const examples = blocks('lua').filter((b) => /^-- [\w-]+\.sloth\n/.test(b));
    expect(examples.length).toBeGreaterThan(0);
    for (const source of examples) {
      const name = (source.match(/^-- ([\w-]+\.sloth)/) as RegExpMatchArray)[1] as string;
      const dir = writeFiles({ [name]: source });
      const r = await runCli(['workflow', 'run', '-f', join(dir, name)]);
      expect(r.stderr).toBe('');
      expect(r.code, `${name}:\n${r.stdout}`).toBe(0);
    }
  });

  it('the first workflow prints what the README shows (durations aside)', async () => {
    const section = readme.slice(readme.indexOf('## Your first workflow'));
    const source = (/```lua\n([\s\S]*?)```/.exec(section) as RegExpExecArray)[1] as string;
    const sample = (/\n```\n(\[[\s\S]*?)```/.exec(section) as RegExpExecArray)[1] as string;
    const dir = writeFiles({ 'hello-world.sloth': source });
    const r = await runCli(['workflow', 'run', 'hello_world_workflow', '-f', join(dir, 'hello-world.sloth')]);
    expect(r.code, r.stderr).toBe(0);
    // Durations differ from run to run, and so do the table's column widths around them.
    const shape = (s: string) =>
      s
        .replace(/\d+ms/g, 'N')
        .replace(/[ ─┬┼┴]+/g, ' ')
        .trim();
    expect(shape(r.stdout)).toBe(shape(sample));
  });

  it('the TypeScript API example runs', async () => {
    const [example] = blocks('ts');
    expect(example).toContain('runWorkflow');
    // Written inside the CLI package so that @sloth/core resolves as it would for a user's project.
    const file = join(REPO, 'apps/cli/dist/readme-example.mjs');
    writeFileSync(file, example as string);
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 });
    expect(out).toContain("success [ 'fetch: success', 'report: success', 'lint: success' ]");
  });
});
