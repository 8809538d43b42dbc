// The spawn helper: a small Node process that starts commands for a bigger one (see spawn-helper.ts). It imports
// nothing of ours, so it stays small, and fork() from it stays cheap.
import { type ChildProcess, spawn } from 'node:child_process';
// Types only: erased when compiled, so the helper still loads nothing of ours.
import type { LaunchRequest } from './spawn-helper.js';

interface SpawnRequest extends LaunchRequest {
  t: 'spawn';
  id: number;
}

type Request = SpawnRequest | { t: 'release'; id: number };

const children = new Map<number, ChildProcess>();

function send(message: unknown): void {
  process.send?.(message);
}

function start(m: SpawnRequest): void {
  let child: ChildProcess;
  try {
    child = spawn(m.file, m.args, {
      cwd: m.cwd,
      env: m.env as NodeJS.ProcessEnv | undefined,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(m.uid !== undefined && m.gid !== undefined ? { uid: m.uid, gid: m.gid } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    send({ t: 'error', id: m.id, code: e.code, message: e.message });
    return;
  }
  children.set(m.id, child);
  if (child.pid !== undefined) send({ t: 'spawned', id: m.id, pid: child.pid });
  child.stdout?.on('data', (d: Buffer) => send({ t: 'out', id: m.id, s: 1, d }));
  child.stderr?.on('data', (d: Buffer) => send({ t: 'out', id: m.id, s: 2, d }));
  child.stdin?.on('error', () => {});
  child.stdin?.end(m.stdin);
  child.on('error', (e: NodeJS.ErrnoException) => {
    children.delete(m.id);
    send({ t: 'error', id: m.id, code: e.code, message: e.message });
  });
  child.on('exit', (code, signal) => send({ t: 'exit', id: m.id, code, signal }));
  child.on('close', () => {
    children.delete(m.id);
    send({ t: 'close', id: m.id });
  });
}

process.on('message', (m: Request) => {
  if (m.t === 'spawn') start(m);
  else if (m.t === 'release') {
    const child = children.get(m.id);
    child?.stdout?.destroy();
    child?.stderr?.destroy();
  }
});
// The process that started us is gone: so is our reason to run.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
