// The reference of the infra_test benchmark: the same checks as the workflow, written directly against Node's fs, net,
// dns, fetch and child_process (no framework), printing how long they took in-process as JSON. goss is not packaged for
// this machine's distribution, so this plain script stands in for a native checker.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readdir, readFile, stat } from 'node:fs/promises';
import { connect } from 'node:net';

const checks = JSON.parse(process.argv[2]);

const ports = async (proto) => {
  const out = new Set();
  for (const t of [proto, `${proto}6`]) {
    const text = await readFile(`/proc/net/${t}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (!f[1] || (proto === 'tcp' && f[3] !== '0A')) continue;
      out.add(Number.parseInt(f[1].split(':')[1], 16));
    }
  }
  return out;
};
const processes = async (name) => {
  let n = 0;
  for (const pid of (await readdir('/proc')).filter((e) => /^\d+$/.test(e))) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === name) n++;
  }
  return n;
};
const sh = (cmd) => new Promise((resolve) => execFile('/bin/sh', ['-c', cmd], (err, stdout) => resolve({ ok: !err, stdout })));
const uidOf = async (user) => {
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith(`${user}:`));
  return line ? Number(line.split(':')[2]) : undefined;
};

const KINDS = {
  file_exists: async (p) => Boolean(await stat(p).catch(() => undefined)),
  is_directory: async (p) => (await stat(p)).isDirectory(),
  file_mode: async (p, m) => ((await stat(p)).mode & 0o7777) === Number.parseInt(m, 8),
  file_owner: async (p, u) => (await stat(p)).uid === (await uidOf(u)),
  file_contains: async (p, t) => (await readFile(p, 'utf8')).includes(t),
  file_sha256: async (p, h) =>
    createHash('sha256')
      .update(await readFile(p))
      .digest('hex') === h,
  mount_exists: async (p) => (await readFile('/proc/mounts', 'utf8')).split('\n').some((l) => l.split(' ')[1] === p),
  kernel_param: async (k, v) => (await readFile(`/proc/sys/${k.replaceAll('.', '/')}`, 'utf8')).trim() === String(v),
  port_is_tcp: async (p) => (await ports('tcp')).has(p),
  port_is_udp: async (p) => (await ports('udp')).has(p),
  port_is_listening: async (p) => (await ports('tcp')).has(p) || (await ports('udp')).has(p),
  can_connect: (h, p) =>
    new Promise((resolve) => {
      const s = connect({ host: h, port: p }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    }),
  process_is_running: async (n) => (await processes(n)) > 0,
  command_succeeds: async (c) => (await sh(c)).ok,
  http_status: async (u, code) => (await fetch(u).then(async (r) => (await r.text(), r.status))) === code,
  dns_resolves: async (n) => (await lookup(n, { all: true })).length > 0,
};

const started = performance.now();
const byKind = {};
let passed = 0;
for (const [kind, ...args] of checks) {
  const t = performance.now();
  if (await KINDS[kind](...args)) passed++;
  else throw new Error(`${kind}(${args.join(', ')}) failed`);
  byKind[kind] = (byKind[kind] ?? 0) + performance.now() - t;
}
process.stdout.write(JSON.stringify({ ms: performance.now() - started, passed, byKind }));
