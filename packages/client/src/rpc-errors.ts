import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { errorMessage, isSlothErrorCode, SlothError, type SlothErrorCode } from '@sloth/core';
import { ErrorDetailSchema } from '@sloth/proto';
import { workVerdict } from './work-status.js';

const TO_CONNECT: Partial<Record<SlothErrorCode, Code>> = {
  usage: Code.InvalidArgument,
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  timeout: Code.DeadlineExceeded,
  aborted: Code.Canceled,
  unavailable: Code.Unavailable,
  unauthenticated: Code.Unauthenticated,
  conflict: Code.FailedPrecondition,
  already_exists: Code.AlreadyExists,
  unsupported: Code.Unimplemented,
};

/** What a Connect error's ErrorDetail says: the SlothError's code, hint and location, those that were set. */
export interface RpcErrorDetail {
  code?: SlothErrorCode;
  hint?: string;
  location?: string;
}

/**
 * Server side: a SlothError becomes a Connect error with the matching code and its message; its code, hint and
 * location travel as an ErrorDetail (plain Connect clients such as `buf curl` show it among the error's details).
 */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof SlothError) {
    return new ConnectError(err.message, TO_CONNECT[err.code] ?? Code.Internal, undefined, [
      detailOf({ code: err.code, hint: err.hint, location: err.location }),
    ]);
  }
  return new ConnectError(errorMessage(err), Code.Internal);
}

/** The outgoing Connect detail that carries `d` (a code, hint and location; strings as they came off the wire too). */
export function detailOf(d: { code?: string | undefined; hint?: string | undefined; location?: string | undefined }): {
  desc: typeof ErrorDetailSchema;
  value: { code: string; hint: string; location: string };
} {
  return { desc: ErrorDetailSchema, value: { code: d.code ?? '', hint: d.hint ?? '', location: d.location ?? '' } };
}

/** The ErrorDetail of a Connect error (sent by a master, or built by toConnectError), empty when it has none. */
export function rpcErrorDetail(err: ConnectError): RpcErrorDetail {
  const d = err.findDetails(ErrorDetailSchema)[0];
  if (!d) return {};
  return {
    ...(isSlothErrorCode(d.code) ? { code: d.code } : {}),
    ...(d.hint !== '' ? { hint: d.hint } : {}),
    ...(d.location !== '' ? { location: d.location } : {}),
  };
}

/**
 * The one place where the master's domain errors meet the wire: a SlothError a handler throws (or a stream it
 * answers with fails with) leaves as a Connect error with its code and ErrorDetail.
 */
export const slothErrorsToConnect: Interceptor = (next) => async (req) => {
  try {
    const res = await next(req);
    if (!res.stream) return res;
    return { ...res, message: connectErrorsOf(res.message) };
  } catch (err) {
    throw toConnectError(err);
  }
};

async function* connectErrorsOf<T>(messages: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (err) {
    throw toConnectError(err);
  }
}

/** Node's codes for a TLS certificate the client could not verify (OpenSSL's X509 verify results, and a name mismatch). */
const CERT_ERROR = /CERT|SIGNATURE|ISSUER|SELF_SIGNED/;

/** The `code` of the error or of one of its causes that matches `re`, if any. */
function causeCode(err: unknown, re: RegExp): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && re.test(code)) return code;
  }
  return undefined;
}

/**
 * Client side: what a failed call to the master at `address` means for people, as a SlothError with a hint.
 * `tls`: whether the call went over https (a CA was given, or the address said https://).
 */
export function fromRpcError(err: unknown, address: string, tls = false): SlothError {
  if (err instanceof SlothError) return err;
  const e = ConnectError.from(err);
  const cert = causeCode(err, CERT_ERROR);
  if (cert !== undefined) {
    // The master could not prove who it is: as final as a refused token (an agent stops instead of retrying).
    return new SlothError(
      'unauthenticated',
      `cannot verify the TLS certificate of the master at ${address}: ${e.rawMessage} (${cert})`,
      {
        hint:
          cert === 'ERR_TLS_CERT_ALTNAME_INVALID'
            ? "the master's certificate does not name this host: connect by a name or IP in its subjectAltName, or reissue the certificate"
            : "pass --ca with the CA certificate (PEM) that signed the master's certificate (its `master start --tls-cert`)",
        cause: err,
      },
    );
  }
  const tlsHandshake = causeCode(err, /^ERR_SSL_/);
  if (tlsHandshake !== undefined) {
    return new SlothError(
      'unavailable',
      `TLS handshake with the master at ${address} failed: ${e.rawMessage} (${tlsHandshake})`,
      {
        hint: 'the master may not serve TLS: drop --ca and https:// unless it was started with --tls-cert/--tls-key',
        cause: err,
      },
    );
  }
  const message = e.rawMessage;
  const serverHint = rpcErrorDetail(e).hint;
  // Aborted is also what the master answers for lost work (with its verdict in the metadata); a reset socket means the
  // connection was cut.
  const reset =
    e.code === Code.Aborted &&
    workVerdict(err) === undefined &&
    (causeCode(err, /^ECONNRESET$/) !== undefined || /ECONNRESET/.test(e.rawMessage));
  switch (reset ? Code.Canceled : e.code) {
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
      // We did not cancel (callers handle their own Ctrl-C): the connection was cut or reset under us. A plain-http
      // client talking to a TLS master ends here too (closed or ECONNRESET, depending on timing).
      return new SlothError('unavailable', `the connection to the master at ${address} was closed: ${message}`, {
        hint: tls
          ? 'the master may have stopped or restarted; work it had sent may still finish on the agent'
          : 'the master may have stopped or restarted (work it had sent may still finish on the agent); if it serves TLS (it logs https://), pass --ca with the CA certificate that signed its certificate',
        cause: err,
      });
    case Code.ResourceExhausted:
      return new SlothError('invalid_argument', `the master at ${address} refused a message: ${message}`, { cause: err });
    default:
      return new SlothError('internal', `the master at ${address} failed: ${message} (${Code[e.code]})`, { cause: err });
  }
}
