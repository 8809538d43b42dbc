import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { ConnectError } from '@connectrpc/connect';
import { agentClient, masterTransport } from '@sloth/client';
import { AsyncQueue } from '@sloth/core/internal';
import type { ConnectRequestSchema, ConnectResponse } from '@sloth/proto';
import { afterEach } from 'vitest';
import type { MasterOptions } from './master-options.js';
import { type RunningMaster, startMaster } from './master-server.js';

export const TOKEN = 'test-token-0123456789';

const started: RunningMaster[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await Promise.all(started.splice(0).map((m) => m.close()));
});

/** The error of a call that must fail (failing the test when it does not). */
export async function rejection(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error('expected the call to fail');
}

/** A master on 127.0.0.1 (any free port) with a fresh data directory, closed after the test. */
export async function testMaster(options: Partial<MasterOptions> = {}): Promise<RunningMaster> {
  const m = await startMaster({
    dataDir: mkdtempSync(join(tmpdir(), 'sloth-master-')),
    port: 0,
    token: TOKEN,
    heartbeatIntervalMs: 200,
    ...options,
  });
  started.push(m);
  return m;
}

type Up = MessageInitShape<typeof ConnectRequestSchema>;

/** A hand-driven agent stream: what a real agent sends, message by message, and what the master answers. */
export interface RawAgent {
  send(msg: NonNullable<Up['msg']>): void;
  /** The next message from the master (rejects when the stream fails, or after `timeoutMs`). */
  next(timeoutMs?: number): Promise<ConnectResponse | undefined>;
  close(): void;
}

/** Opens an agent stream to `url` (its own HTTP/2 connection) and sends Register for `name` unless told not to. */
export function rawAgent(url: string, name: string | undefined, token: string | undefined = TOKEN): RawAgent {
  const t = masterTransport({ address: url, token });
  const out = new AsyncQueue<Up>();
  if (name !== undefined) out.push({ msg: { case: 'register', value: { name, version: 'test', labels: { sim: 'yes' } } } });
  const replies = agentClient(t.transport).connect(out)[Symbol.asyncIterator]();
  const close = () => {
    out.close();
    t.close();
  };
  closers.push(close);
  return {
    send: (msg) => out.push({ msg }),
    next: async (timeoutMs = 5000) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no message from the master within ${timeoutMs}ms`)), timeoutMs);
      });
      try {
        const r = await Promise.race([replies.next(), timeout]);
        return r.done ? undefined : r.value;
      } finally {
        clearTimeout(timer);
      }
    },
    close,
  };
}
