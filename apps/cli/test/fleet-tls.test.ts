import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.test-helper.js';
import { fleetHome, startAgent, startMaster } from './fleet.test-helper.js';
import { makePki, type Pki } from './pki.test-helper.js';

const CA_HINT = "hint: pass --ca with the CA certificate (PEM) that signed the master's certificate";

describe('master and agents over TLS (real processes)', () => {
  let pki: Pki;
  beforeAll(() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
    } catch {
      throw new Error('these tests need the openssl CLI to make certificates: install it (apt-get install -y openssl)');
    }
    pki = makePki();
  });

  it('an agent with --ca registers; agent list and agent exec work over https with --ca', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--tls-cert', pki.cert, '--tls-key', pki.key]);
    expect(master.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const hostPort = master.url.replace('https://', '');
    // No scheme: --ca implies https.
    const agent = startAgent(home, 'tls-01', hostPort, tokenFile, { extra: ['--ca', pki.ca] });
    await agent.waitFor(/registered with the master at https:\/\/127\.0\.0\.1:\d+ as tls-01/);
    const cli = ['--master', hostPort, '--token-file', tokenFile, '--ca', pki.ca];

    const list = await runCli(['agent', 'list', ...cli]);
    expect([list.code, list.stderr]).toEqual([0, '']);
    expect(list.stdout).toMatch(/tls-01\s+│ 127\.0\.0\.1:\d+\s+│ Active/);

    const exec = await runCli(['agent', 'exec', 'tls-01', 'echo "over tls"; echo err >&2; exit 5', ...cli]);
    expect([exec.code, exec.stdout, exec.stderr]).toEqual([5, 'over tls\n', 'err\n']);
    // An explicit https:// URL with --ca works the same.
    const ok = await runCli([
      'agent',
      'exec',
      'tls-01',
      'true',
      '--master',
      master.url,
      '--token-file',
      tokenFile,
      '--ca',
      pki.ca,
    ]);
    expect(ok.code).toBe(0);
  });

  it('refuses clients without the right CA, and a plain-http client, with errors that say what to pass', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--tls-cert', pki.cert, '--tls-key', pki.key]);
    const hostPort = master.url.replace('https://', '');

    // https without --ca: the system CAs do not know our CA.
    const noCa = await runCli(['agent', 'list', '--master', master.url, '--token-file', tokenFile], { timeoutMs: 15_000 });
    expect(noCa.code).toBe(2);
    expect(noCa.stdout).toBe('');
    expect(noCa.stderr).toContain(`error: cannot verify the TLS certificate of the master at ${master.url}`);
    expect(noCa.stderr).toContain(CA_HINT);

    // --ca with a CA that did not sign the master's certificate.
    const otherCa = await runCli(['agent', 'list', '--master', hostPort, '--token-file', tokenFile, '--ca', pki.otherCa], {
      timeoutMs: 15_000,
    });
    expect(otherCa.code).toBe(2);
    expect(otherCa.stderr).toContain(`error: cannot verify the TLS certificate of the master at ${hostPort}`);
    expect(otherCa.stderr).toContain(CA_HINT);

    // Plain http (no --ca, no scheme) to the TLS master: fails fast (bounded by timeoutMs), and the hint names --ca.
    const started = Date.now();
    const plain = await runCli(['agent', 'list', '--master', hostPort, '--token-file', tokenFile], { timeoutMs: 15_000 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/error: (the connection to the master at \S+ was closed|cannot reach the master at \S+)/);
    expect(plain.stderr).toContain('if it serves TLS (it logs https://), pass --ca with the CA certificate');

    // An agent without --ca says why it cannot connect and stops, as for a wrong token: retrying cannot fix it.
    const agent = startAgent(home, 'no-ca', master.url, tokenFile);
    expect((await agent.exited).code).toBe(2);
    expect(agent.output()).toMatch(/cannot verify the TLS certificate of the master at https:\/\/\S+/);
    expect(agent.output()).toContain('pass --ca with the CA certificate');
    expect(master.output()).not.toContain('agent no-ca registered');

    // The master is unharmed by all of this.
    const good = await runCli(['agent', 'list', '--master', hostPort, '--token-file', tokenFile, '--ca', pki.ca]);
    expect([good.code, good.stdout]).toEqual([0, expect.stringContaining('no agents have registered')]);
  });

  it('--ca against a plain-http master: the TLS handshake fails with a hint to drop --ca', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const hostPort = master.url.replace('http://', '');
    const r = await runCli(['agent', 'list', '--master', hostPort, '--token-file', tokenFile, '--ca', pki.ca], {
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: TLS handshake with the master at ${hostPort} failed`);
    expect(r.stderr).toContain('hint: the master may not serve TLS: drop --ca');
  });
});
