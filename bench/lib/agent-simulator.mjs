// A child process that plays N agents against a master: each opens its own HTTP/2 connection, registers, and
// heartbeats (with system info, as a real agent does) every HEARTBEAT_MS. When its stream ends or fails it
// reconnects after the real agent's schedule (ReconnectSchedule with the agent's default delays), as sloth-agent does.
// Prints "dial I T D" for every connection attempt of agent I (D: the delay the schedule chose before it, 0 for the
// first), "registered I T" for every registration, "ended I T" when a connection ends or fails (T: epoch ms), and
// "ready N" once all N are registered the first time.
// Usage: node agent-simulator.mjs URL TOKEN N HEARTBEAT_MS
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO } from './paths.mjs';

const { AsyncQueue } = await import(join(REPO, 'packages/core/dist/internal.js'));
const { agentClient, masterTransport } = await import(join(REPO, 'packages/master/dist/client.js'));
const { ReconnectSchedule, resolveAgentOptions } = await import(join(REPO, 'packages/agent/dist/index.js'));

const [url, token, nText, hbText] = process.argv.slice(2);
const n = Number(nText);
const heartbeatMs = Number(hbText);
const defaults = resolveAgentOptions({ name: 'sim', master: { address: url } });
const backoff = { initialMs: defaults.reconnectInitialMs, maxMs: defaults.reconnectMaxMs, jitter: defaults.reconnectJitter };
const system = {
  hostname: 'sim',
  os: 'linux',
  arch: 'x64',
  cpus: 4,
  load1: 0.5,
  load5: 0.4,
  load15: 0.3,
  memoryTotalBytes: 8n << 30n,
  memoryFreeBytes: 4n << 30n,
  diskTotalBytes: 100n << 30n,
  diskFreeBytes: 50n << 30n,
  uptimeSeconds: 1000,
};
let firstRegistrations = 0;

/** One connection: register, heartbeat until the stream ends or fails; true if it registered. */
async function connectOnce(i, first, delay) {
  const t = masterTransport({ address: url, token });
  const out = new AsyncQueue();
  out.push({ msg: { case: 'register', value: { name: `sim-${i}`, version: 'bench', labels: { sim: 'yes' }, system } } });
  let registered = false;
  let heartbeat;
  process.stdout.write(`dial ${i} ${Date.now()} ${delay}\n`);
  try {
    for await (const res of agentClient(t.transport).connect(out)) {
      if (res.msg.case !== 'registered') continue;
      registered = true;
      process.stdout.write(`registered ${i} ${Date.now()}\n`);
      if (first && ++firstRegistrations === n) process.stdout.write(`ready ${n}\n`);
      // Spread the heartbeats over the interval, as independent agents would be.
      const beat = () => out.push({ msg: { case: 'heartbeat', value: { system, runningWork: 0 } } });
      heartbeat = setTimeout(
        () => {
          heartbeat = setInterval(beat, heartbeatMs);
        },
        (i * heartbeatMs) / n,
      );
    }
  } catch {
    // A refused or cut connection: the schedule decides when to try again.
  } finally {
    process.stdout.write(`ended ${i} ${Date.now()}\n`);
    clearTimeout(heartbeat);
    clearInterval(heartbeat);
    out.close();
    t.close();
  }
  return registered;
}

for (let i = 0; i < n; i++) {
  void (async () => {
    const schedule = new ReconnectSchedule(backoff);
    let everRegistered = false;
    let delay = 0;
    for (;;) {
      const registered = await connectOnce(i, !everRegistered, delay);
      everRegistered ||= registered;
      delay = schedule.next(registered);
      await sleep(delay);
    }
  })();
}
