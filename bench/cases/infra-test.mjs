// Benchmark: 100 infra_test assertions of mixed kinds in one task, against a plain Node script making the same checks
// (goss, the target's reference, is not packaged for this distribution).

import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { failure, hasTool, interleave, median, runChild, stat } from '../lib/measure.mjs';
import { BENCH_DIR, WORK, workFile } from '../lib/paths.mjs';
import { runWorkflowFile } from '../lib/sloth.mjs';
import { statCell as cell, ms, ratio } from '../lib/table.mjs';

const ROUNDS = 5;
const TARGET_MS = 100;

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

/** The 100 checks, as [kind, ...args]: files, ports, connections, /proc facts, processes, commands, HTTP, DNS. */
function checks({ dir, tcp, udp, web }) {
  const out = [];
  const files = Array.from({ length: 10 }, (_, i) => join(dir, `f${i}.conf`));
  for (const f of files) out.push(['file_exists', f]);
  for (let i = 0; i < 5; i++) out.push(['file_exists', '/etc/hosts']);
  for (let i = 0; i < 5; i++) out.push(['is_directory', dir]);
  for (const f of files) out.push(['file_mode', f, '640']);
  for (const f of files) out.push(['file_contains', f, 'listen 80']);
  for (const f of files.slice(0, 5)) out.push(['file_sha256', f, createHash('sha256').update(content(f)).digest('hex')]);
  for (const f of files.slice(0, 5)) out.push(['file_owner', f, 'root']);
  for (let i = 0; i < 10; i++) out.push(['port_is_tcp', tcp]);
  for (let i = 0; i < 5; i++) out.push(['port_is_udp', udp]);
  for (let i = 0; i < 5; i++) out.push(['port_is_listening', tcp]);
  for (let i = 0; i < 5; i++) out.push(['can_connect', '127.0.0.1', tcp]);
  for (let i = 0; i < 5; i++) out.push(['kernel_param', 'kernel.ostype', 'Linux']);
  for (let i = 0; i < 5; i++) out.push(['mount_exists', '/proc']);
  for (let i = 0; i < 8; i++) out.push(['process_is_running', 'node']);
  for (let i = 0; i < 2; i++) out.push(['command_succeeds', 'test -d /proc']);
  for (let i = 0; i < 3; i++) out.push(['http_status', `http://127.0.0.1:${web}/health`, 200]);
  for (let i = 0; i < 2; i++) out.push(['dns_resolves', 'localhost']);
  return out;
}

const content = (f) => `server {\n  listen 80;\n  server_name ${f};\n}\n`;
const lua = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

export async function run(log) {
  const dir = join(WORK, 'infra-test-files');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 10; i++) {
    const f = join(dir, `f${i}.conf`);
    writeFileSync(f, content(f));
    chmodSync(f, 0o640);
  }
  const tcpServer = createServer();
  const webServer = createHttpServer((_, res) => res.end('ok'));
  const udpSocket = createSocket('udp4');
  const tcp = await listen(tcpServer);
  const web = await listen(webServer);
  const udp = await new Promise((resolve) => udpSocket.bind(0, '127.0.0.1', () => resolve(udpSocket.address().port)));
  try {
    const list = checks({ dir, tcp, udp, web });
    if (list.length !== 100) throw new Error(`expected 100 checks, made ${list.length}`);
    const file = workFile('infra-test-100.sloth');
    writeFileSync(
      file,
      `workflow("infra-test-100")\n  :task("checks", function()\n${list
        .map(([kind, ...args]) => `    infra_test.${kind}(${args.map(lua).join(', ')})`)
        .join('\n')}\n  end)\n`,
    );
    log(`infra_test: ${ROUNDS} rounds of: 100 checks in one sloth-runner task, the same in a plain Node script`);
    const r = await interleave(ROUNDS, {
      sloth: {
        once: async () => {
          const s = await runWorkflowFile(file, { timeoutMs: 60_000 });
          const t = s.report.tasks.checks;
          if (t.assertions?.passed !== 100) throw new Error(`expected 100 passed checks, got ${JSON.stringify(t.assertions)}`);
          return { taskMs: t.duration_ms, wallMs: s.wallMs };
        },
      },
      native: {
        once: async () => {
          const c = await runChild(process.execPath, [join(BENCH_DIR, 'lib', 'infra-checks-native.mjs'), JSON.stringify(list)], {
            timeoutMs: 60_000,
          });
          const why = failure(c, 'native checks');
          if (why) throw new Error(why);
          return JSON.parse(c.stdout);
        },
      },
    });
    const task = stat(r.sloth.samples.map((x) => x.taskMs));
    const wall = stat(r.sloth.samples.map((x) => x.wallMs));
    const nat = stat(r.native.samples.map((x) => x.ms));
    const err = (x) => (x.error ? `error: ${x.error}` : '');
    // Where the reference's time goes, by kind of check (median over rounds), largest first.
    const kinds = Object.keys(r.native.samples[0]?.byKind ?? {})
      .map((k) => [k, median(r.native.samples.map((x) => x.byKind[k]))])
      .sort((a, b) => b[1] - a[1]);
    const where = kinds.map(([k, v]) => `${k} ${ms(v)}`).join(', ');
    return {
      title: 'infra_test: 100 assertions of mixed kinds in one task',
      headers: ['runner', 'time (median, min–max)', 'vs the plain Node script', 'note'],
      rows: [
        ['sloth-runner, the task duration_ms (100 checks)', cell(task), ratio(task.med / nat.med), err(r.sloth)],
        ['sloth-runner, CLI wall (start-up and load included)', cell(wall), '–', ''],
        ['plain Node script, the same 100 checks in-process (reference)', cell(nat), '1.00x', err(r.native)],
      ],
      summary: [
        {
          benchmark: '100 infra_test assertions, mixed kinds, one task (duration_ms)',
          sloth: ms(task.med),
          reference: `plain Node script ${ms(nat.med)}${hasTool('goss') ? '' : ' (goss not packaged here)'}`,
          ratio: ratio(task.med / nat.med),
          target: `< ${TARGET_MS} ms`,
          met: Number.isFinite(task.med) ? task.med < TARGET_MS : undefined,
        },
      ],
      notes: [
        `**infra_test:** 100 checks (50 of files, 25 of ports and connections, 10 of /proc facts, 8 of processes, 2 commands, 3 HTTP, 2 DNS) took ${ms(task.med)} as the task's duration_ms against ${ms(nat.med)} for the same checks in a plain Node script; the < ${TARGET_MS} ms target is ${task.med < TARGET_MS ? 'met' : 'missed'}${task.med >= TARGET_MS && nat.med >= TARGET_MS ? `, but the plain script making the same reads needs ${ms(nat.med)} itself here, so no checker doing them meets it on this machine as loaded` : ''}. infra_test reads the process table, the listening sockets and the mounts once for a run of consecutive checks (as goss reads its facts once), where the plain script reads them for every check. goss is not in this distribution's packages, so the reference is that script. Where the reference's time goes, by kind (all checks of the kind, median): ${where}.`,
      ],
    };
  } finally {
    udpSocket.close();
    tcpServer.close();
    webServer.closeAllConnections();
    webServer.close();
  }
}
