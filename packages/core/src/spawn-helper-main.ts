// The spawn helper: a small Node process that starts commands for a bigger one (see spawn-helper.ts). It loads only
// spawn-helper.js, which uses nothing but Node's built-ins, so it stays small and fork() from it stays cheap.
import { type Launched, type LaunchRequest, launchDirect } from './spawn-helper.js';

interface SpawnRequest extends LaunchRequest {
  t: 'spawn';
  id: number;
}

type Request = SpawnRequest | { t: 'release'; id: number };

const running = new Map<number, Launched>();

/** Sends to the process that started us; once it is gone (it may exit before we are up) there is no one to tell. */
function send(message: unknown): void {
  if (!process.connected) return;
  process.send?.(message, undefined, undefined, () => {});
}

function start(m: SpawnRequest): void {
  let launched: Launched;
  try {
    launched = launchDirect(m);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    send({ t: 'error', id: m.id, code: e.code, message: e.message });
    return;
  }
  running.set(m.id, launched);
  if (launched.pid !== undefined) send({ t: 'spawned', id: m.id, pid: launched.pid });
  launched.on('stdout', (d: Buffer) => send({ t: 'out', id: m.id, s: 1, d }));
  launched.on('stderr', (d: Buffer) => send({ t: 'out', id: m.id, s: 2, d }));
  launched.on('error', (e: NodeJS.ErrnoException) => {
    running.delete(m.id);
    send({ t: 'error', id: m.id, code: e.code, message: e.message });
  });
  launched.on('exit', (code, signal) => send({ t: 'exit', id: m.id, code, signal }));
  launched.on('close', () => {
    running.delete(m.id);
    send({ t: 'close', id: m.id });
  });
}

process.on('message', (m: Request) => {
  if (m.t === 'spawn') start(m);
  else if (m.t === 'release') running.get(m.id)?.release();
});
// The process that started us is gone: so is our reason to run.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
