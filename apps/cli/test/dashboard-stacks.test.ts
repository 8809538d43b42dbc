import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditRows, logIn, newPage, SCREEN_WAIT_MS, screenshot, startUi } from './browser.test-helper.js';
import { runCli, writeFiles } from './cli.test-helper.js';
import { fleetHome, TOKEN } from './fleet.test-helper.js';

// The Stacks screen's actions in real Chromium, against `sloth-runner ui` and the real CLI on the same data directory.

/** An export document without the time it was made (two exports of one stack differ only there). */
function withoutTime(text: string): unknown {
  return { ...JSON.parse(text), exportedAt: undefined };
}

describe('stacks on the dashboard', () => {
  it('creates a stack, exports it as `stack export` does, imports it back under another name, refuses a broken file, deletes once the name is typed, and audits each', async () => {
    const { home, tokenFile } = fleetHome();
    const ui = await startUi(home, ['--token-file', tokenFile]);
    const page = await newPage({ acceptDownloads: true });
    await logIn(page, `${ui.url}/#/stacks`, TOKEN);
    await page.getByText('No stack is recorded in this data directory yet.').waitFor({ timeout: SCREEN_WAIT_MS });

    await page.getByLabel('New stack').fill('web-prod');
    await page.getByLabel('Description').fill('the web tier');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const prod = page.locator('tr[data-stack="web-prod"]');
    await prod.waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await prod.textContent()).toContain('the web tier');
    expect(await page.getByRole('status').textContent()).toBe("created stack 'web-prod'");
    const listed = await runCli(['stack', 'list', '-o', 'json', '--data-dir', home]);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'web-prod', description: 'the web tier' }]);

    // Export: a download of what `stack export` prints.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: SCREEN_WAIT_MS }),
      prod.getByRole('button', { name: 'Export' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('web-prod.json');
    const dir = writeFiles({ 'broken.json': '{"format": "sloth-stack", ' });
    const file = join(dir, 'web-prod.json');
    await download.saveAs(file);
    const cli = await runCli(['stack', 'export', 'web-prod', '--data-dir', home]);
    expect(cli.code).toBe(0);
    expect(withoutTime(readFileSync(file, 'utf8'))).toEqual(withoutTime(cli.stdout));

    // Import it back under another name.
    await page.getByLabel('Import a stack export').setInputFiles(file);
    await page.getByLabel('as', { exact: true }).fill('web-copy');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const copy = page.locator('tr[data-stack="web-copy"]');
    await copy.waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await page.getByRole('status').textContent()).toBe("imported stack 'web-copy' from web-prod.json");

    // A file that is not an export is refused, saying why; nothing is created.
    await page.getByLabel('as', { exact: true }).fill('');
    await page.getByLabel('Import a stack export').setInputFiles(join(dir, 'broken.json'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /^the file is not JSON: / })
      .waitFor({ timeout: SCREEN_WAIT_MS });
    writeFileSync(join(dir, 'other.json'), '{"hello": 1}');
    await page.getByLabel('Import a stack export').setInputFiles(join(dir, 'other.json'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'not a stack export: the document has no "format": "sloth-stack"' })
      .waitFor({ timeout: SCREEN_WAIT_MS });

    // Delete asks for the name, typed again: only the exact name unlocks it.
    await copy.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.locator('[data-confirm-delete="web-copy"]');
    const go = confirm.getByRole('button', { name: 'Delete web-copy' });
    expect(await go.isDisabled()).toBe(true);
    await confirm.getByLabel('Name of the stack to delete').fill('web-cop');
    expect(await go.isDisabled()).toBe(true);
    await confirm.getByLabel('Name of the stack to delete').fill('web-copy');
    await screenshot(page, 'stack-delete');
    await go.click();
    await copy.waitFor({ state: 'detached', timeout: SCREEN_WAIT_MS });
    expect(await page.getByRole('status').textContent()).toBe("deleted stack 'web-copy'");
    const after = await runCli(['stack', 'list', '-o', 'json', '--data-dir', home]);
    expect(JSON.parse(after.stdout).map((s: { name: string }) => s.name)).toEqual(['web-prod']);

    const entries = await auditRows(page, 'stack.delete', 2);
    expect(entries).toEqual([
      ['stack.delete', 'web-copy', 'ok'],
      ['stack.import', '(the name in the file)', 'failed'],
      ['stack.import', '(the name in the file)', 'failed'],
      ['stack.import', 'web-copy', 'ok'],
      ['stack.export', 'web-prod', 'ok'],
      ['stack.create', 'web-prod', 'ok'],
    ]);
  });
});
