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
});
