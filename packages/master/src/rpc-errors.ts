import { Code, ConnectError } from '@connectrpc/connect';
import { errorMessage, SlothError, type SlothErrorCode } from '@sloth/core';

const TO_CONNECT: Partial<Record<SlothErrorCode, Code>> = {
  usage: Code.InvalidArgument,
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  timeout: Code.DeadlineExceeded,
  aborted: Code.Canceled,
  unavailable: Code.Unavailable,
  unauthenticated: Code.Unauthenticated,
  conflict: Code.FailedPrecondition,
};

/** Server side: a SlothError becomes a Connect error with the matching code (its hint travels in the message). */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof SlothError) {
    return new ConnectError(err.hint ? `${err.message} (hint: ${err.hint})` : err.message, TO_CONNECT[err.code] ?? Code.Internal);
  }
  return new ConnectError(errorMessage(err), Code.Internal);
}

/** Client side: what a failed call to the master at `address` means for people, as a SlothError with a hint. */
export function fromRpcError(err: unknown, address: string): SlothError {
  if (err instanceof SlothError) return err;
  const e = ConnectError.from(err);
  // The master sends a SlothError's hint inside the message (plain Connect clients read it too): split it off again.
  const split = /^(.*) \(hint: (.*)\)$/s.exec(e.rawMessage);
  const message = split ? (split[1] as string) : e.rawMessage;
  const serverHint = split?.[2];
  switch (e.code) {
    case Code.Unauthenticated:
      return new SlothError('unauthenticated', `the master at ${address} refused the token: ${message}`, {
        hint: 'pass the token the master was started with: --token, --token-file or SLOTH_TOKEN',
        cause: err,
      });
    case Code.Unavailable:
      return new SlothError('unavailable', `cannot reach the master at ${address}: ${message}`, {
        hint: 'check that `sloth-runner master start` runs there, the address and port (--master), firewalls, and http vs https (--ca)',
        cause: err,
      });
    case Code.NotFound:
      return new SlothError('not_found', message, { hint: serverHint, cause: err });
    case Code.InvalidArgument:
      return new SlothError('invalid_argument', message, { hint: serverHint, cause: err });
    case Code.FailedPrecondition:
    case Code.AlreadyExists:
      return new SlothError('conflict', message, { hint: serverHint, cause: err });
    case Code.DeadlineExceeded:
      return new SlothError('timeout', message, { cause: err });
    case Code.Canceled:
      // We did not cancel (callers handle their own Ctrl-C): the connection was cut under us.
      return new SlothError('unavailable', `the connection to the master at ${address} was closed: ${message}`, {
        hint: 'the master may have stopped or restarted; work it had sent may still finish on the agent',
        cause: err,
      });
    case Code.ResourceExhausted:
      return new SlothError('invalid_argument', `the master at ${address} refused a message: ${message}`, { cause: err });
    default:
      return new SlothError('internal', `the master at ${address} failed: ${message} (${Code[e.code]})`, { cause: err });
  }
}
