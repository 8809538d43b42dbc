// Child script: what exec.run pays per call at minimum, measured outside sloth-runner.
// Usage: node spawn-loop.mjs MODE N
//   seq        Node spawns `/bin/true` directly (as exec.run does for a plain command line) N times, one at a time
//   concurrent the same, all N at once
//   runprocess @sloth/core's runProcess("/bin/true") (what exec.run calls) N times, one at a time
// Prints "<total ms> <ms spent inside the synchronous spawn() calls>" (the second is 0 for runprocess).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './paths.mjs';

const mode = process.argv[2];
const n = Number(process.argv[3] ?? 500);
let inSpawn = 0;

const once = () =>
  new Promise((resolve, reject) => {
    const a = performance.now();
    const c = spawn('/bin/true', [], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    inSpawn += performance.now() - a; // fork + exec happen inside this call
    c.stdin.end();
    c.on('error', reject);
    c.on('close', resolve);
  });

// Loaded before the clock starts: its import (zod and all) is not what we measure.
const core =
  mode === 'runprocess' ? await import(pathToFileURL(join(REPO, 'packages', 'core', 'dist', 'internal.js')).href) : undefined;

const t0 = performance.now();
if (mode === 'seq') {
  for (let i = 0; i < n; i++) await once();
} else if (mode === 'concurrent') {
  await Promise.all(Array.from({ length: n }, once));
} else if (mode === 'runprocess') {
  for (let i = 0; i < n; i++) {
    const r = await core.runProcess({
      command: '/bin/true',
      env: process.env,
      signal: new AbortController().signal,
      onLine: () => {},
    });
    if (r.exitCode !== 0) throw new Error(`runProcess: exit ${r.exitCode}`);
  }
} else {
  throw new Error(`spawn-loop: unknown mode '${mode}'`);
}
process.stdout.write(`${performance.now() - t0} ${inSpawn}\n`);
