import { describe, expect, it } from 'vitest';
import { auditRows, logIn, newPage, SCREEN_WAIT_MS, screenshot, startUi } from './browser.test-helper.js';
import { runCli } from './cli.test-helper.js';
import { fleetHome, TOKEN } from './fleet.test-helper.js';

// The Secrets screen in real Chromium, against `sloth-runner ui` and the real CLI's `secret` commands on the same data
// directory.

describe('secrets on the dashboard', () => {
  it('sets a secret that `secret get` then reads, lists it by name and dates only, deletes it once its name is typed, and audits both by name', async () => {
    const { home, tokenFile } = fleetHome();
    const value = 's3cr3t-typed-in-the-browser';
    const ui = await startUi(home, ['--token-file', tokenFile]);
    const page = await newPage();
    await logIn(page, `${ui.url}/#/secrets`, TOKEN);
    await page.getByText('No secret is set in this data directory yet.').waitFor({ timeout: SCREEN_WAIT_MS });

    await page.getByLabel('Secret name').fill('db_password');
    const box = page.getByLabel('Value');
    expect(await box.getAttribute('type')).toBe('password');
    await box.fill(value);
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    const row = page.locator('tr[data-secret="db_password"]');
    await row.waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await page.getByRole('status').textContent()).toBe("set secret 'db_password'");
    // The box is emptied once sent; the list shows the name and its dates, not the value.
    expect(await box.inputValue()).toBe('');
    expect(Number(await row.locator('[data-created]').getAttribute('data-created'))).toBeGreaterThan(0);
    expect(await row.locator('td').nth(1).textContent()).not.toBe('');
    expect(await page.content()).not.toContain(value);
    await screenshot(page, 'secrets');

    // The CLI reads what the page set, on the same data directory.
    const got = await runCli(['secret', 'get', 'db_password', '--data-dir', home]);
    expect(got.code).toBe(0);
    expect(got.stdout).toBe(`${value}\n`);

    // A name that is not one is refused, saying why.
    await page.getByLabel('Secret name').fill('9lives');
    await box.fill('x');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: "'9lives' is not a secret name" }).waitFor({ timeout: SCREEN_WAIT_MS });

    // Delete asks for the name, typed again.
    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    const go = row.getByRole('button', { name: 'Delete db_password' });
    expect(await go.isDisabled()).toBe(true);
    await row.getByLabel('Name of the secret to delete').fill('db_passwor');
    expect(await go.isDisabled()).toBe(true);
    await row.getByLabel('Name of the secret to delete').fill('db_password');
    await go.click();
    await row.waitFor({ state: 'detached', timeout: SCREEN_WAIT_MS });
    expect(await page.getByRole('status').textContent()).toBe("deleted secret 'db_password'");
    const listed = await runCli(['secret', 'list', '--data-dir', home]);
    expect(listed.stdout).not.toContain('db_password');

    const entries = await auditRows(page, 'secret.delete', 2);
    expect(entries).toEqual([
      ['secret.delete', 'db_password', 'ok'],
      ['secret.set', '9lives', 'failed'],
      ['secret.set', 'db_password', 'ok'],
    ]);
    expect(await page.content()).not.toContain(value);
    // Nor is it in the server's log.
    expect(ui.output()).not.toContain(value);
  });

  it('sets a secret under a passphrase only when its server was started with it, as `secret set` reads it', async () => {
    const { home, tokenFile } = fleetHome();
    const env = { SLOTH_SECRET_PASSPHRASE: 'correct horse battery staple' };
    expect((await runCli(['secret', 'set', 'first', 'one', '--data-dir', home], { env })).code).toBe(0);

    // A server without the passphrase lists the names (no key needed) but refuses to set, saying how.
    const without = await startUi(home, ['--token-file', tokenFile]);
    const page = await newPage();
    await logIn(page, `${without.url}/#/secrets`, TOKEN);
    await page.locator('tr[data-secret="first"]').waitFor({ timeout: SCREEN_WAIT_MS });
    await page.getByLabel('Secret name').fill('second');
    await page.getByLabel('Value').fill('two');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'protected by a passphrase, and none was given' }).waitFor({ timeout: SCREEN_WAIT_MS });
    expect(await alert.textContent()).toContain('SLOTH_SECRET_PASSPHRASE');

    // One started with it sets the secret, which the CLI reads with the same passphrase.
    const withIt = await startUi(home, ['--token-file', tokenFile], env);
    await logIn(page, `${withIt.url}/#/secrets`, TOKEN);
    await page.getByLabel('Secret name').fill('second');
    await page.getByLabel('Value').fill('two');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await page.locator('tr[data-secret="second"]').waitFor({ timeout: SCREEN_WAIT_MS });
    const got = await runCli(['secret', 'get', 'second', '--data-dir', home], { env });
    expect(got.stdout).toBe('two\n');
  });
});
