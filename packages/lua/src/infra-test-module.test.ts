import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runSource } from './test-workflow.test-helper.js';

// How a task's checks are counted: from goroutines too, and only those of its last attempt when it is retried.
describe('infra_test counted per task', () => {
  it('counts checks made in a goroutine; a retried task counts its last attempt only', async () => {
    const { result } = await runSource(`
task("threads"):command(function()
  infra_test.file_exists("/proc")
  local h = goroutine.async(function()
    infra_test.is_directory("/proc")
    return infra_test.soft(function() infra_test.file_exists("/nope") end)
  end)
  local ok = goroutine.await(h)
  if not ok then error("goroutine failed") end
end)
task({ name = "retried", retries = 1, retry_strategy = "fixed", run = function(this)
  infra_test.file_exists("/proc")
  if this.attempt == 1 then infra_test.file_exists("/nope") end
end })
`);
    const byName = Object.fromEntries(result.tasks.map((t) => [t.name, t]));
    expect(byName.threads?.error).toBeUndefined();
    expect(byName.threads?.assertions).toMatchObject({ passed: 2, failed: 1 });
    expect(byName.retried?.status).toBe('success');
    expect(byName.retried?.attempts).toBe(2);
    expect(byName.retried?.assertions).toEqual({
      passed: 1,
      failed: 0,
      list: [{ name: 'infra_test.file_exists("/proc")', passed: true, message: '' }],
    });
  });

  it('a check after another module call reads the machine again: a port closed by that call is seen closed', async () => {
    const listener = createServer();
    // The call between the two checks: an HTTP request that stops the listener before it answers.
    const control = createHttpServer((_, res) => listener.close(() => res.end('closed')));
    const listen = (s: { listen: (port: number, host: string, cb: () => void) => unknown; address: () => unknown }) =>
      new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
    const port = await listen(listener);
    const controlPort = await listen(control);
    try {
      const { result } = await runSource(`
task("ports"):command(function()
  infra_test.port_is_tcp(${port})
  infra_test.port_is_listening(${port})
  http.get("http://127.0.0.1:${controlPort}/close")
  local ok, err = pcall(infra_test.port_is_tcp, ${port})
  if ok then error("still seen listening after it closed") end
end)
`);
      const task = result.tasks[0];
      expect(task?.error).toBeUndefined();
      expect(task?.assertions?.list.map((a) => [a.name, a.passed])).toEqual([
        [`infra_test.port_is_tcp(${port})`, true],
        [`infra_test.port_is_listening(${port})`, true],
        [`infra_test.port_is_tcp(${port})`, false],
      ]);
    } finally {
      control.close();
      listener.close();
    }
  });
});
