import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logIn, newPage, SCREEN_WAIT_MS, screenshot, startUi } from './browser.test-helper.js';
import { runCli } from './cli.test-helper.js';
import { TOKEN } from './fleet.test-helper.js';

// A run's task graph in real Chromium, from a run the real CLI recorded.

describe("a run's task graph", () => {
  it('draws a diamond of tasks in columns by depth, an arrow per dependency, each box in its task status', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sloth-graph-'));
    const tokenFile = join(home, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const file = join(home, 'diamond.sloth');
    writeFileSync(
      file,
      `
task("fetch"):command(function() return true end)
task("compile"):depends_on({"fetch"}):command(function() return true end)
task("lint"):depends_on({"fetch"}):command(function() error("lint found 3 problems") end)
task("ship"):depends_on({"compile", "lint"}):command(function() return true end)
workflow.define("diamond", { tasks = { "fetch", "compile", "lint", "ship" } })
`,
    );
    const run = await runCli(['workflow', 'run', 'diamond', '-f', file, '--data-dir', home]);
    expect(run.code).not.toBe(0);

    const ui = await startUi(home, ['--token-file', tokenFile]);
    const page = await newPage();
    await logIn(page, `${ui.url}/#/runs`, TOKEN);
    await page.getByRole('link', { name: 'diamond' }).click({ timeout: SCREEN_WAIT_MS });
    const graph = page.getByRole('img', { name: 'Task graph' });
    await graph.waitFor({ timeout: SCREEN_WAIT_MS });

    const edges = await graph.locator('[data-graph-edge]').evaluateAll((es) => es.map((e) => e.getAttribute('data-graph-edge')));
    expect(edges.sort()).toEqual(['compile->ship', 'fetch->compile', 'fetch->lint', 'lint->ship']);
    // Each box says what the task's panel says.
    for (const task of ['fetch', 'compile', 'lint', 'ship']) {
      const panel = await page.locator(`[data-task="${task}"] h3 [data-status]`).textContent();
      expect(await graph.locator(`[data-graph-task="${task}"]`).getAttribute('data-status'), task).toBe(panel);
    }
    expect(await graph.locator('[data-graph-task="lint"]').getAttribute('data-status')).toBe('failed');
    expect(await graph.locator('[data-graph-task="fetch"]').getAttribute('data-status')).toBe('success');
    expect(await graph.locator('[data-graph-task="ship"]').getAttribute('data-status')).toBe('skipped');
    // Columns by depth: fetch, then compile and lint side by side in one column, then ship.
    const x = async (task: string) => (await graph.locator(`[data-graph-task="${task}"] rect`).boundingBox())?.x ?? Number.NaN;
    const [fetch, compile, lint, ship] = [await x('fetch'), await x('compile'), await x('lint'), await x('ship')];
    expect(fetch).toBeLessThan(compile);
    expect(compile).toBe(lint);
    expect(lint).toBeLessThan(ship);
    await screenshot(page, 'task-graph');
  });
});
