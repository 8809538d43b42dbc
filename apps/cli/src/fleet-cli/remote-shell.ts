import { hostname, userInfo } from 'node:os';
import { ConnectError, type ControlClient, fromRpcError, type ShellRequestInit } from '@sloth/client';
import { AsyncQueue, SlothError } from '@sloth/core/internal';
import type { LocalTerminal } from './local-terminal.js';

/** What EOF is to a terminal in canonical mode: piped input that ends ends the remote shell the same way. */
const CTRL_D = new Uint8Array([4]);
/** Output written here is reported to the agent in steps of this size (well under its window: it never waits on us). */
const CONSUMED_STEP_BYTES = 64 * 1024;

export interface RemoteShell {
  client: ControlClient;
  agent: string;
  terminal: LocalTerminal;
  /** The master's address as the user gave it, and whether it is reached over https (for error messages). */
  address: string;
  https: boolean;
  /** Aborted by SIGTERM/SIGHUP here (Ctrl-C is a byte for the remote shell on a terminal). */
  signal: AbortSignal;
}

/**
 * Runs an interactive shell on an agent through the master's Shell call, with our terminal as its terminal, and
 * returns its exit code. The terminal is restored on every way out.
 */
export async function runRemoteShell(r: RemoteShell): Promise<number> {
  const requests = new AsyncQueue<ShellRequestInit>();
  requests.push({
    msg: {
      case: 'start',
      value: {
        agent: r.agent,
        size: r.terminal.size(),
        term: process.env.TERM || 'xterm-256color',
        client: whoAmI(),
      },
    },
  });
  let sessionId: string | undefined;
  let written = 0;
  r.terminal.start({
    input: (data) => requests.push({ msg: { case: 'input', value: data } }),
    resize: (size) => requests.push({ msg: { case: 'resize', value: size } }),
    end: () => requests.push({ msg: { case: 'input', value: CTRL_D } }),
  });
  try {
    for await (const res of r.client.shell(requests, { signal: r.signal })) {
      const msg = res.msg;
      if (msg.case === 'sessionId') sessionId = msg.value;
      else if (msg.case === 'output') {
        const n = msg.value.length;
        r.terminal.write(msg.value, () => {
          written += n;
          if (written < CONSUMED_STEP_BYTES) return;
          requests.push({ msg: { case: 'consumed', value: written } });
          written = 0;
        });
      } else if (msg.case === 'exit') {
        r.terminal.restore();
        if (msg.value.error) process.stderr.write(`sloth-runner: on ${r.agent}: ${msg.value.error}\n`);
        return msg.value.exitCode;
      }
    }
    throw new SlothError('unavailable', `the master ended the shell session on ${r.agent} without its exit code`);
  } catch (err) {
    r.terminal.restore();
    if (r.signal.aborted || sessionId === undefined) throw err;
    const e = fromRpcError(err, r.address, r.https);
    if (e.code !== 'unavailable') throw e;
    const why = ConnectError.from(err).rawMessage;
    throw new SlothError('unavailable', `lost the master at ${r.address} during the shell session on ${r.agent}: ${why}`, {
      hint: 'the agent kills the shell when its session is cut; run `agent shell` again once the master is reachable',
      cause: err,
    });
  } finally {
    r.terminal.restore();
    requests.close();
  }
}

/** user@host of this side, for the master's record of the session (informative: the token is what is checked). */
function whoAmI(): string {
  let user = process.env.USER ?? '';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry: $USER, if any
  }
  return `${user || '?'}@${hostname()}`;
}
