import { createHash, timingSafeEqual } from 'node:crypto';
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';

/** Compares two tokens in constant time (both are hashed first, so their lengths leak nothing either). */
export function tokenMatches(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/**
 * A server interceptor that lets a call through only with `authorization: Bearer <token>`; it runs before the handler,
 * so an unauthenticated agent stream is refused before any of its messages is read. No token: everyone passes.
 */
export function bearerGate(token: string | undefined): Interceptor | undefined {
  if (token === undefined) return undefined;
  return (next) => async (req) => {
    const header = req.header.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match)
      throw new ConnectError('this master requires a token: send "authorization: Bearer <token>"', Code.Unauthenticated);
    if (!tokenMatches(token, (match[1] as string).trim())) throw new ConnectError('invalid token', Code.Unauthenticated);
    return next(req);
  };
}
