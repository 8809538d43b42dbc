// Running child processes with a hard timeout, and simple statistics over repeated runs.
import { spawn, spawnSync } from 'node:child_process';

/** True when `name` is an executable on PATH. */
export function hasTool(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && r.stdout.trim() !== '';
}

/**
 * Runs `cmd args` in its own process group and resolves with its wall time and output.
 * After `timeoutMs` the whole group is killed (SIGKILL) and `timedOut` is set; it never hangs.
 */
export function runChild(cmd, args, { timeoutMs, cwd, env, maxBytes = 64 * 1024 * 1024 } = {}) {
  if (!timeoutMs) throw new Error(`runChild(${cmd}): a timeout is required`);
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    let outBytes = 0;
    let timedOut = false;
    let settled = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.stdout.on('data', (c) => {
      outBytes += c.length;
      if (outBytes <= maxBytes) out.push(c);
    });
    child.stderr.on('data', (c) => err.push(c));
    const done = (code, signal, error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      if (timedOut || error) killGroup(); // no stray grandchildren
      resolve({
        code,
        signal,
        timedOut,
        error: error ? error.message : undefined,
        wallMs,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    };
    child.on('error', (e) => done(null, null, e));
    child.on('close', (code, signal) => done(code, signal));
  });
}

/** Describes why a child run failed, or returns undefined when it succeeded. */
export function failure(r, what) {
  if (r.timedOut) return `${what}: timed out after ${Math.round(r.wallMs)} ms`;
  if (r.error) return `${what}: ${r.error}`;
  if (r.code !== 0) return `${what}: exit ${r.code ?? r.signal}${r.stderr ? ` (${lastLine(r.stderr)})` : ''}`;
  return undefined;
}

function lastLine(s) {
  const lines = s.trim().split('\n');
  return lines[lines.length - 1].slice(0, 200);
}

export function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** The p-th percentile (0-100, nearest rank) of a list of numbers; p0 is the least, p100 the greatest. */
export function percentile(xs, p) {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))];
}

export function minOf(xs) {
  const v = xs.filter((x) => Number.isFinite(x));
  return v.length ? Math.min(...v) : Number.NaN;
}

export function maxOf(xs) {
  const v = xs.filter((x) => Number.isFinite(x));
  return v.length ? Math.max(...v) : Number.NaN;
}

/**
 * Runs `once()` `runs` times in sequence; `once` resolves with a sample object or throws.
 * Resolves with { samples, error } (error = first failure; later runs are not attempted).
 */
export async function repeat(runs, once) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    try {
      samples.push(await once(i));
    } catch (e) {
      return { samples, error: e instanceof Error ? e.message : String(e) };
    }
  }
  return { samples, error: undefined };
}

/**
 * Runs several variants round-robin (A B C, A B C, ...) so that a change in machine load hits all of
 * them alike, instead of all runs of A, then all runs of B. `variants` maps a name to
 * { once, perRound = 1 }; a variant that throws is not run again. Resolves with name -> { samples, error }.
 */
export async function interleave(rounds, variants) {
  const out = Object.fromEntries(Object.keys(variants).map((k) => [k, { samples: [], error: undefined }]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, v] of Object.entries(variants)) {
      for (let i = 0; i < (v.perRound ?? 1); i++) {
        if (out[name].error) break;
        try {
          out[name].samples.push(await v.once(round));
        } catch (e) {
          out[name].error = e instanceof Error ? e.message : String(e);
        }
      }
    }
  }
  return out;
}

/** The median, least and greatest of a list of samples, and how many there are (for `statCell`). */
export function stat(xs) {
  return { med: median(xs), lo: minOf(xs), hi: maxOf(xs), n: xs.length };
}
