// What the numbers were measured on.
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { skipAnsible } from './options.mjs';

function firstLine(cmd, args) {
  try {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 15_000 });
    if (r.error || r.status !== 0) return 'not installed';
    return `${r.stdout}${r.stderr}`.trim().split('\n')[0].replace(/\s+/g, ' ');
  } catch {
    return 'not installed';
  }
}

/** The 1-minute load average, e.g. "0.42": other work on the machine skews the numbers. */
export function load1() {
  return loadavg()[0].toFixed(2);
}

export function machineInfo() {
  const nproc = firstLine('nproc', []);
  return {
    date: new Date().toISOString(),
    nproc: nproc === 'not installed' ? String(availableParallelism()) : nproc,
    cpu: cpus()[0]?.model ?? 'unknown',
    memGiB: (totalmem() / 2 ** 30).toFixed(1),
    os: `${type()} ${release()}`,
    node: process.version,
    loadAtStart: load1(),
    tools: {
      bash: firstLine('bash', ['--version']),
      'lua5.4': firstLine('lua5.4', ['-v']),
      'ansible-playbook': skipAnsible ? 'skipped (BENCH_SKIP_ANSIBLE=1)' : firstLine('ansible-playbook', ['--version']),
      hyperfine: firstLine('hyperfine', ['--version']),
    },
  };
}
