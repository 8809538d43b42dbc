// Fake infrastructure CLIs for tests of the modules that wrap docker, kubectl, helm... where no engine or cluster can
// run: a small Node script that records its argv and answers like the real tool from a body the test gives.
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fake CLI written to a temp dir: its path, its dir (put first on PATH), and the argv of each call so far. */
export interface FakeTool {
  bin: string;
  dir: string;
  calls(): string[][];
}

/**
 * Writes an executable `name` whose `body` (CommonJS JavaScript) sees `argv` (the arguments), `state` (a JSON object
 * kept in the dir between calls, saved on exit), `out(text)`, `err(text)` and `exit(code)`. Each call's argv is
 * appended to calls.jsonl before the body runs. The env variable FAKE_HANG makes the tool start a `sleep` child, write
 * its pid to FAKE_HANG (a path) and the child's to FAKE_HANG.child and wait forever: for tests that a timeout kills the tool's process group.
 */
export function fakeTool(name: string, body: string): FakeTool {
  const dir = mkdtempSync(join(tmpdir(), `sloth-fake-${name}-`));
  const bin = join(dir, name);
  writeFileSync(
    bin,
    `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(__dirname, 'calls.jsonl'), JSON.stringify(argv) + '\\n');
const statePath = path.join(__dirname, 'state.json');
// Calls made at once (goroutines) take turns on the state: a lock file, waited for at most 10 s.
const lockPath = statePath + '.lock';
for (const until = Date.now() + 10000; ; ) {
  try { fs.closeSync(fs.openSync(lockPath, 'wx')); break; } catch (e) {
    if (e.code !== 'EEXIST' || Date.now() > until) throw e;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}
process.on('exit', () => fs.rmSync(lockPath, { force: true }));
const state = fs.existsSync(statePath) ? JSON.parse(fs.readFileSync(statePath, 'utf8')) : {};
const out = (t) => process.stdout.write(t.endsWith('\\n') ? t : t + '\\n');
const err = (t) => process.stderr.write(t.endsWith('\\n') ? t : t + '\\n');
const exit = (code) => { fs.writeFileSync(statePath, JSON.stringify(state)); process.exit(code); };
if (process.env.FAKE_HANG) {
  fs.rmSync(lockPath, { force: true });
  const child = require('node:child_process').spawn('sleep', ['300'], { stdio: 'ignore' });
  fs.writeFileSync(process.env.FAKE_HANG + '.child', String(child.pid));
  fs.writeFileSync(process.env.FAKE_HANG, String(process.pid));
  setInterval(() => {}, 1000);
} else {
  const stdin = fs.readFileSync(0, 'utf8');
${body}
  exit(0);
}
`,
  );
  chmodSync(bin, 0o755);
  return {
    bin,
    dir,
    calls: () => {
      const log = join(dir, 'calls.jsonl');
      if (!existsSync(log)) return [];
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]);
    },
  };
}
