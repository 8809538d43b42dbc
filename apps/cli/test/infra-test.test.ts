import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, startCli, writeFiles } from './cli.test-helper.js';

// infra_test through the real CLI, against real things this test opens: a TCP port, a UDP port, an HTTP server on
// 127.0.0.1, a child process, files.

const listen = (server: Server | HttpServer) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const close = (server: Server | HttpServer) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A port nothing listens on: one the kernel just gave and took back. */
async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await close(s);
  return port;
}

/** The attributes of each element named `tag` in an XML text. */
function elements(xml: string, tag: string): Record<string, string>[] {
  return [...xml.matchAll(new RegExp(`<${tag}\\s([^>]*?)/?>`, 'g'))].map((m) =>
    Object.fromEntries([...(m[1] as string).matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}

let tcp: Server;
let tcpPort: number;
let udp: Socket;
let udpPort: number;
let web: HttpServer;
let webPort: number;
const child = spawn('sleep', ['300'], { stdio: 'ignore' });

beforeAll(async () => {
  tcp = createServer();
  tcpPort = await listen(tcp);
  udp = createSocket('udp4');
  udpPort = await new Promise<number>((resolve) => udp.bind(0, '127.0.0.1', () => resolve(udp.address().port)));
  web = createHttpServer((req, res) => {
    res.statusCode = req.url === '/missing' ? 404 : 200;
    res.end('hello from the sloth');
  });
  webPort = await listen(web);
});

afterAll(async () => {
  child.kill();
  udp.close();
  await close(tcp);
  web.closeAllConnections();
  await close(web);
});

describe('infra_test in a workflow', () => {
  it('passes checks of real files, ports, a process, commands and an HTTP server, counting them in JSON and JUnit', async () => {
    const sha = createHash('sha256').update('Welcome to nginx!\n').digest('hex');
    const source = `workflow("checks")
  :task("validate", function()
    infra_test.file_exists("site/index.html")
    infra_test.is_directory("site")
    infra_test.file_mode("site/index.html", "640")
    infra_test.file_owner("site/index.html", "${process.getuid?.() === 0 ? 'root' : String(process.getuid?.())}")
    infra_test.file_contains("site/index.html", "Welcome to nginx")
    infra_test.file_sha256("site/index.html", "${sha}")
    infra_test.mount_exists("/proc")
    infra_test.kernel_param("kernel.ostype", "Linux")
    infra_test.port_is_listening(${tcpPort})
    infra_test.port_is_tcp(${tcpPort})
    infra_test.port_is_udp(${udpPort})
    infra_test.port_is_listening(${udpPort})
    infra_test.can_connect("127.0.0.1", ${tcpPort}, "2s")
    infra_test.process_is_running("sleep")
    infra_test.command_succeeds("test -f site/index.html")
    infra_test.command_stdout_contains("cat site/index.html", "nginx")
    infra_test.user_exists("root")
    infra_test.group_exists("root")
    infra_test.dns_resolves("localhost")
    infra_test.http_status("http://127.0.0.1:${webPort}/", 200)
    infra_test.http_status("http://127.0.0.1:${webPort}/missing", 404)
    infra_test.http_body_contains("http://127.0.0.1:${webPort}/", "hello from the sloth")
  end)
`;
    const dir = writeFiles({ 'site/index.html': 'Welcome to nginx!\n', 'checks.sloth': source });
    chmodSync(join(dir, 'site/index.html'), 0o640);
    const file = join(dir, 'checks.sloth');
    const junit = join(dir, 'reports/checks.xml');
    const r = await runCli(['workflow', 'run', '-f', file, '--output', 'json', '--junit', junit], { cwd: dir });
    const report = JSON.parse(r.stdout);
    expect(report.tasks.validate.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(report.tasks.validate.assertions.passed).toBe(22);
    expect(report.tasks.validate.assertions.failed).toBe(0);
    expect(report.tasks.validate.assertions.list[9]).toEqual({
      name: `infra_test.port_is_tcp(${tcpPort})`,
      passed: true,
      message: '',
    });
    const xml = readFileSync(junit, 'utf8');
    expect(elements(xml, 'testsuites')[0]).toMatchObject({ name: 'checks', tests: '23', failures: '0' });
    const cases = elements(xml, 'testcase');
    expect(cases).toHaveLength(23);
    expect(cases[0]).toMatchObject({ classname: 'checks.validate', name: 'task validate' });
    expect(cases[1]).toMatchObject({ name: 'infra_test.file_exists(&quot;site/index.html&quot;)' });
  });

  it('fails the task at the failing line with what failed, in the summary, JSON and JUnit', async () => {
    const closed = await freePort();
    const dir = writeFiles({
      'w.sloth': `workflow("w")
  :task("validate", function()
    infra_test.file_exists("/etc/hosts")
    infra_test.port_is_tcp(${closed})
    infra_test.file_exists("/never/reached")
  end)
`,
    });
    const junit = join(dir, 'j.xml');
    const text = await runCli(['workflow', 'run', '-f', 'w.sloth'], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`w.sloth:4: infra_test.port_is_tcp: nothing listens on TCP port ${closed}`);
    expect(text.stdout).toMatch(
      /Checks\n {2}validate: 1 passed, 1 failed\n {4}✗ infra_test\.port_is_tcp: nothing listens on TCP port \d+/,
    );
    const r = await runCli(['workflow', 'run', '-f', 'w.sloth', '-o', 'json', '--junit', junit], { cwd: dir });
    const task = JSON.parse(r.stdout).tasks.validate;
    expect(task.error.split('\n')[0]).toBe(`w.sloth:4: infra_test.port_is_tcp: nothing listens on TCP port ${closed}`);
    expect(task.error_location).toBe('w.sloth:4');
    expect(task.assertions).toMatchObject({ passed: 1, failed: 1 });
    expect(task.assertions.list[1]).toEqual({
      name: `infra_test.port_is_tcp(${closed})`,
      passed: false,
      message: `infra_test.port_is_tcp: nothing listens on TCP port ${closed}`,
    });
    const xml = readFileSync(junit, 'utf8');
    expect(elements(xml, 'testsuite')[0]).toMatchObject({ name: 'validate', tests: '3', failures: '2' });
    expect(elements(xml, 'failure').map((f) => f.type)).toEqual(['task_failed', 'assertion']);
    // A report that cannot be written is said, and fails the command even when the run succeeded.
    writeFileSync(join(dir, 'ok.sloth'), 'workflow("ok")\n  :task("t", function() infra_test.file_exists("ok.sloth") end)\n');
    const unwritable = await runCli(['workflow', 'run', '-f', 'ok.sloth', '--junit', 'ok.sloth/report.xml'], { cwd: dir });
    expect(unwritable.stderr).toContain('cannot write the JUnit report to ok.sloth/report.xml: E');
    expect(unwritable.code).toBe(2);
  });

  it('soft makes every check and returns them; eventually waits for a port that starts listening later', async () => {
    const later = await freePort();
    const dir = writeFiles({
      'w.sloth': `workflow("w")
  :task("soft", function()
    local list, failed = infra_test.soft(function()
      infra_test.file_exists("/nope")
      local ok, why = infra_test.port_is_tcp(${tcpPort})
      infra_test.process_count("sleep", 0)
    end)
    log.info("soft: " .. #list .. " made, " .. failed .. " failed; " .. list[1].message .. "; " .. list[3].message)
  end)
  :task("wait", function()
    exec.run({ "touch", "waiting" })
    infra_test.eventually({ timeout = "20s", interval = "50ms" }, function()
      infra_test.port_is_tcp(${later})
    end)
  end)
`,
    });
    const run = startCli(['workflow', 'run', '-f', join(dir, 'w.sloth'), '-o', 'json'], { cwd: dir });
    const done = collect(run, 30_000);
    await waitFor(() => existsSync(join(dir, 'waiting')), 20_000, 'the eventually task to start');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(later, '127.0.0.1', () => resolve()));
    const r = await done;
    await close(server);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'soft: 3 made, 2 failed; infra_test.file_exists: /nope does not exist; infra_test.process_count: ',
    );
    const tasks = JSON.parse(r.stdout).tasks;
    expect(tasks.soft.assertions).toMatchObject({ passed: 1, failed: 2 });
    expect(tasks.wait.assertions).toEqual({
      passed: 1,
      failed: 0,
      list: [{ name: `infra_test.port_is_tcp(${later})`, passed: true, message: '' }],
    });
  });

  it('eventually gives up after its timeout with the last failure, stops with the task; an agent argument without a master says what it needs', async () => {
    const closed = await freePort();
    const dir = writeFiles({
      'give-up.sloth': `workflow("w")
  :task("give-up", function()
    infra_test.eventually({ timeout = "300ms", interval = "100ms" }, function()
      infra_test.port_is_udp(${closed})
    end)
  end)
`,
      'agent.sloth': `workflow("w")
  :task("agent", function()
    infra_test.service_is_running("nginx", "web-01")
  end)
`,
      'stopped.sloth': `task({ name = "stopped", timeout = "1s", run = function()
  infra_test.eventually({ timeout = "10m", interval = "50ms" }, function()
    infra_test.port_is_tcp(${closed})
  end)
end })
`,
      'bad.sloth': `workflow("w")
  :task("bad", function()
    infra_test.eventually({ timout = "1s" }, function() end)
  end)
`,
    });
    const task = async (file: string) => {
      const r = await runCli(['workflow', 'run', '-f', file, '-o', 'json'], { cwd: dir });
      expect(r.code).toBe(1);
      return Object.values(JSON.parse(r.stdout).tasks)[0] as Record<string, string> & { assertions: unknown };
    };
    const gaveUp = await task('give-up.sloth');
    expect(gaveUp.error).toMatch(
      new RegExp(
        `^give-up\\.sloth:3: infra_test\\.eventually: still failing after [\\d.]+m?s \\(\\d+ attempts\\): infra_test\\.port_is_udp: nothing is bound to UDP port ${closed}`,
      ),
    );
    expect(gaveUp.assertions).toMatchObject({ passed: 0, failed: 1 });
    const agent = await task('agent.sloth');
    expect(agent.error?.split('\n')[0]).toMatch(
      /^agent\.sloth:3: infra_test\.service_is_running: running it on agent 'web-01' needs a master, but this run has none/,
    );
    expect(agent.error_code).toBe('usage');
    // Its own timeout is 10 minutes: the task's timeout stops the wait between attempts.
    const stopped = await task('stopped.sloth');
    expect(stopped.status).toBe('timeout');
    expect(stopped.error_code).toBe('timeout');
    const bad = await task('bad.sloth');
    expect(bad.error?.split('\n')[0]).toMatch(
      /^bad\.sloth:3: infra_test\.eventually: argument #1 \(opts\): unknown option 'timout' \(did you mean 'timeout'\?\)/,
    );
  });
});
