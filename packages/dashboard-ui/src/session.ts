/** The page's session with the server it came from: the login, the CSRF token every call carries, the logout. */

/** What GET /api/session answers. */
export interface SessionInfo {
  /** Logged in (or no token is needed): the CSRF token of this session. */
  csrf?: string;
  /** Whether the server asks for a token at all. */
  tokenRequired: boolean;
  /** Logged in: whether agent control is here (a master's dashboard, not `sloth-runner ui`). */
  control?: boolean;
}

let csrf = '';

/** The CSRF token of the current session ('' before login). */
export function csrfToken(): string {
  return csrf;
}

/** Asks the server whether this browser has a session (its cookie); with no token required, one is opened. */
export async function currentSession(): Promise<SessionInfo> {
  const res = await fetch('/api/session', { credentials: 'same-origin' });
  const body = (await res.json()) as SessionInfo;
  csrf = body.csrf ?? '';
  return body;
}

/** Logs in with the master's token; answers the server's refusal as an Error with its message. */
export async function logIn(token: string): Promise<void> {
  const res = await fetch('/api/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  const body = (await res.json()) as { csrf?: string; error?: string };
  if (!res.ok || !body.csrf) throw new Error(body.error ?? `login failed (HTTP ${res.status})`);
  csrf = body.csrf;
}

/** Ends the session on the server (its cookie is cleared). */
export async function logOut(): Promise<void> {
  await fetch('/api/logout', { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': csrf } });
  csrf = '';
}
