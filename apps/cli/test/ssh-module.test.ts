import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keygen, startSshd, type TestSshd } from '../../../packages/ssh/src/sshd.test-helper.js';
import { runCli, writeFiles } from './cli.test-helper.js';

// The ssh module from a workflow, against a real sshd on 127.0.0.1 with a key made for the test.
let sshd: TestSshd;
let port: number;

beforeAll(async () => {
  sshd = await startSshd(1);
  port = sshd.ports[0] as number;
});
afterAll(async () => {
  await sshd?.close();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the ssh module (real sshd)', () => {
  it('connects, runs commands over one pooled connection, uploads and downloads idempotently (the seed form too)', async () => {
    const remote = mkdtempSync(join(tmpdir(), 'sloth-ssh-mod-'));
    const data = randomBytes(3 * 1024 * 1024);
    const dir = writeFiles({
      'wf.sloth': `local opts = { host = "127.0.0.1", port = ${port}, user = "root", key_file = "${sshd.keyFile}" }
task("remote"):command(function(this)
  local conn = ssh.connect(opts)
  local outs = {}
  for i = 1, 10 do outs[i] = conn:exec("echo run-" .. i).stdout end
  local failed = conn:exec("echo to-stderr >&2; exit 4")
  local env = ssh.exec(opts, "echo $GREETING; cat", { env = { GREETING = "hi there" }, stdin = "from stdin" })
  local up = ssh.upload({ connection = conn, local_path = "payload.bin", remote_path = "${remote}/payload.bin" })
  local again = conn:upload("payload.bin", "${remote}/payload.bin")
  local moded = conn:upload("payload.bin", "${remote}/payload.bin", { mode = "0600" })
  local down = conn:download("${remote}/payload.bin", "back.bin")
  local down2 = ssh.download({ connection = conn, remote_path = "${remote}/payload.bin", local_path = "back.bin" })
  conn:close()
  local reopened = conn:exec("echo reopened").stdout
  return true, "ok", {
    first = outs[1], tenth = outs[10], failed_code = failed.exit_code, failed_ok = failed.success, stderr = failed.stderr,
    env = env.stdout, up = up.changed, again = again.changed, moded = moded.changed, down = down.changed, down2 = down2.changed,
    reopened = reopened,
  }
end):build()
`,
    });
    writeFileSync(join(dir, 'payload.bin'), data);
    const r = await runCli(['workflow', 'run', '-f', 'wf.sloth', '-o', 'json'], { cwd: dir, timeoutMs: 90_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout).tasks.remote.output;
    expect(out).toEqual({
      first: 'run-1\n',
      tenth: 'run-10\n',
      failed_code: 4,
      failed_ok: false,
      stderr: 'to-stderr\n',
      env: 'hi there\nfrom stdin',
      up: true,
      again: false,
      moded: true,
      down: true,
      down2: false,
      reopened: 'reopened\n',
    });
    expect(sha(readFileSync(join(remote, 'payload.bin')))).toBe(sha(data));
    expect(sha(readFileSync(join(dir, 'back.bin')))).toBe(sha(data));
    // One TCP connection for everything before close (the module-level calls with options reuse it), one after.
    expect(sshd.connections(port)).toBe(2);
    // Output streamed to the task log as it came.
    expect(r.stderr).toMatch(/\[remote\] run-10/);
  });

  it('changes nothing in check mode; a command that only reads may still run', async () => {
    const remote = mkdtempSync(join(tmpdir(), 'sloth-ssh-check-'));
    const dir = writeFiles({
      'payload.txt': 'content\n',
      'wf.sloth': `task("t"):command(function()
  local c = ssh.connect({ host = "127.0.0.1", port = ${port}, user = "root", key_file = "${sshd.keyFile}" })
  local w = c:exec("touch ${remote}/written")
  local rd = c:exec("echo reading", { check_mode = false })
  local up = c:upload("payload.txt", "${remote}/payload.txt")
  return true, "ok", { skipped = w.skipped, read = rd.stdout, up = up.changed }
end):build()
`,
    });
    const r = await runCli(['workflow', 'run', '-f', 'wf.sloth', '-o', 'json', '--check'], { cwd: dir, timeoutMs: 90_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tasks.t.output).toEqual({ skipped: true, read: 'reading\n', up: true });
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(remote)).toEqual([]);
  });

  it('fails at the caller line with errors people can act on; never shows a passphrase', async () => {
    const locked = join(sshd.dir, 'locked');
    keygen(locked, 'sw0rdfish-passphrase');
    const other = join(sshd.dir, 'unknown-key');
    keygen(other);
    const base = `host = "127.0.0.1", port = ${port}, user = "root"`;
    const dir = writeFiles({
      'wrongkey.sloth': `task("t"):command(function()\n  ssh.connect({ ${base}, key_file = "${other}" })\nend):build()\n`,
      'passphrase.sloth': `task("t"):command(function()\n  ssh.connect({ ${base}, key_file = "${locked}", passphrase = "not-the-sw0rdfish" })\nend):build()\n`,
      'badopt.sloth': `task("t"):command(function()\n  ssh.connect({ ${base}, key_fiel = "x" })\nend):build()\n`,
      'badtype.sloth': `task("t"):command(function()\n  ssh.exec({ ${base}, key_file = "${sshd.keyFile}" }, 42)\nend):build()\n`,
      'timeout.sloth': `task("t"):command(function()\n  local r = ssh.exec({ ${base}, key_file = "${sshd.keyFile}" }, "sleep 30", { timeout = "300ms" })\n  return true, "ok", { timed_out = r.timed_out, success = r.success }\nend):build()\n`,
    });
    const run = (file: string) => runCli(['workflow', 'run', '-f', file], { cwd: dir, timeoutMs: 60_000 });
    const wrong = await run('wrongkey.sloth');
    expect(wrong.code).toBe(1);
    expect(wrong.stdout + wrong.stderr).toMatch(
      /wrongkey\.sloth:2: ssh root@127\.0\.0\.1:\d+: authentication failed \(tried key_file .*unknown-key\)/,
    );
    const pass = await run('passphrase.sloth');
    expect(pass.code).toBe(1);
    expect(pass.stdout + pass.stderr).toMatch(/passphrase\.sloth:2: ssh root@127\.0\.0\.1:\d+: cannot use the private key/);
    expect(pass.stdout + pass.stderr).not.toContain('not-the-sw0rdfish');
    const bad = await run('badopt.sloth');
    expect(bad.stdout + bad.stderr).toMatch(
      /badopt\.sloth:2: ssh\.connect: .*unknown option 'key_fiel' \(did you mean 'key_file'\?\)/,
    );
    const badType = await run('badtype.sloth');
    expect(badType.stdout + badType.stderr).toMatch(/badtype\.sloth:2: ssh\.exec: argument #2 \(cmd\)/);
    const slow = await runCli(['workflow', 'run', '-f', 'timeout.sloth', '-o', 'json'], { cwd: dir, timeoutMs: 60_000 });
    expect(JSON.parse(slow.stdout).tasks.t.output).toEqual({ timed_out: true, success: false });
    for (const r of [wrong, pass, bad, badType]) expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });
});
