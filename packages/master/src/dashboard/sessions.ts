import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { tokenMatches } from '../auth.js';

/** A browser logged in to the dashboard: the id its cookie carries and the CSRF token its calls must send. */
export interface DashboardSession {
  id: string;
  csrf: string;
  expiresAt: number;
  /** Names the session in the audit log (the id is a credential, never shown). */
  label: string;
  /** The address it logged in from. */
  address: string;
}

/** The name of the dashboard's session cookie. */
export const SESSION_COOKIE = 'sloth_session';
/** How long a session lasts without a new login. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** Sessions kept at once: the oldest goes first past this (a script logging in in a loop cannot fill memory). */
const MAX_SESSIONS = 1000;

/**
 * The dashboard's sessions, in memory (a restart logs everyone out). A session is opened by the master's token (or
 * freely when the server has none: loopback only), and is then known by an httpOnly, SameSite=Strict cookie holding
 * a random id; every API call must also send the session's CSRF token in a header, which a page of another site
 * can neither read nor forge.
 */
export class DashboardSessions {
  private readonly sessions = new Map<string, DashboardSession>();

  constructor(private readonly token: string | undefined) {}

  /** Whether a login needs the token. */
  get tokenRequired(): boolean {
    return this.token !== undefined;
  }

  /** Opens a session for the right token (any, when none is required) from `address`; undefined for a wrong one. */
  open(given: string | undefined, now: number, address = ''): DashboardSession | undefined {
    if (this.token !== undefined && (given === undefined || !tokenMatches(this.token, given))) return undefined;
    for (const [id, s] of this.sessions) if (s.expiresAt <= now || this.sessions.size >= MAX_SESSIONS) this.sessions.delete(id);
    const session = {
      id: randomId(),
      csrf: randomId(),
      expiresAt: now + SESSION_TTL_MS,
      label: randomBytes(4).toString('hex'),
      address,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session whose cookie the request carries. */
  of(req: IncomingMessage, now: number): DashboardSession | undefined {
    const id = cookie(req, SESSION_COOKIE);
    const s = id === undefined ? undefined : this.sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt > now) return s;
    this.sessions.delete(s.id);
    return undefined;
  }

  /** The live session of the request when it also carries that session's CSRF token (every API call must). */
  checked(req: IncomingMessage, now: number): DashboardSession | undefined {
    const s = this.of(req, now);
    const sent = req.headers['x-csrf-token'];
    return s && typeof sent === 'string' && tokenMatches(s.csrf, sent) ? s : undefined;
  }

  close(id: string): void {
    this.sessions.delete(id);
  }
}

/** The Set-Cookie value that gives a browser its session (or, with no session, removes it); `secure` over HTTPS. */
export function sessionCookie(session: DashboardSession | undefined, secure = false): string {
  const attributes = `Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  return session
    ? `${SESSION_COOKIE}=${session.id}; ${attributes}; Max-Age=${Math.floor(SESSION_TTL_MS / 1000)}`
    : `${SESSION_COOKIE}=; ${attributes}; Max-Age=0`;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function randomId(): string {
  return randomBytes(32).toString('base64url');
}

/** Who a session is in the audit log: its label and the address it logged in from. */
export function sessionActor(session: DashboardSession): string {
  return `session ${session.label} from ${session.address || 'an unknown address'}`;
}
