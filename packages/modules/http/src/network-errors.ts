// What a failed fetch means, in words: undici throws "fetch failed" with the socket's error as its cause.

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens on that port)',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'host name lookup failed for now (DNS)',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server while sending',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_HEADERS_OVERFLOW: 'response headers too large',
};

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

/** A network failure in words, with what to do about it. */
export interface NetworkFailure {
  reason: string;
  hint: string;
  /** A TLS or redirect problem: trying again gives the same answer. */
  permanent: boolean;
}

/** Describes an error thrown by fetch (or by reading its body). */
export function describeNetworkError(err: unknown): NetworkFailure {
  const cause = (err as { cause?: unknown }).cause ?? err;
  const code = (cause as { code?: string }).code ?? '';
  const message = String((cause as { message?: unknown }).message ?? cause);
  if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(message)) {
    return {
      reason: `TLS: ${message}`,
      hint: 'trust the server\'s CA with ca_file = "/path/ca.pem", or check the URL\'s host name matches its certificate',
      permanent: true,
    };
  }
  if (message === 'bad port') {
    return {
      reason: 'fetch refuses this port (one the Fetch standard blocks: 1, 25, 6000, ...)',
      hint: 'serve the service on another port',
      permanent: true,
    };
  }
  if (/redirect/i.test(message)) {
    return {
      reason: message,
      hint: 'check the redirects the server sends (follow_redirects = false shows them)',
      permanent: true,
    };
  }
  const reason = REASONS[code] ?? (code ? `${message} (${code})` : message);
  return {
    reason,
    hint: 'check the host and port are right and the service is up; retries = 3 tries again with backoff',
    permanent: false,
  };
}
