// A child process that plays N agents against a master: each opens its own HTTP/2 connection, registers, and
// heartbeats (with system info, as a real agent does) every HEARTBEAT_MS. Prints "ready N" once all are registered.
// Usage: node agent-simulator.mjs URL TOKEN N HEARTBEAT_MS
import { join } from 'node:path';
import { REPO } from './paths.mjs';

const { AsyncQueue } = await import(join(REPO, 'packages/core/dist/index.js'));
const { agentClient, masterTransport } = await import(join(REPO, 'packages/master/dist/client.js'));

const [url, token, nText, hbText] = process.argv.slice(2);
const n = Number(nText);
const heartbeatMs = Number(hbText);
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
let registered = 0;
for (let i = 0; i < n; i++) {
  const t = masterTransport({ address: url, token });
  const out = new AsyncQueue();
  out.push({ msg: { case: 'register', value: { name: `sim-${i}`, version: 'bench', labels: { sim: 'yes' }, system } } });
  (async () => {
    for await (const res of agentClient(t.transport).connect(out)) {
      if (res.msg.case === 'registered' && ++registered === n) process.stdout.write(`ready ${n}\n`);
    }
  })().catch((err) => process.stderr.write(`sim-${i}: ${err.message}\n`));
  // Spread the heartbeats over the interval, as independent agents would be.
  setTimeout(
    () => setInterval(() => out.push({ msg: { case: 'heartbeat', value: { system, runningWork: 0 } } }), heartbeatMs),
    (i * heartbeatMs) / n,
  );
}
