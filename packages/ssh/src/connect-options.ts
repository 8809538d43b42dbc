import { durationField, SlothError, strictTable, z } from '@sloth/core';

/** How a host's key is checked against the known-hosts file. */
export const HOST_KEY_CHECKS = ['strict', 'accept-new', 'off'] as const;
export type HostKeyCheck = (typeof HOST_KEY_CHECKS)[number];

const baseShape = {
  host: z.string().min(1, 'expected a host name or address'),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1).optional(),
  key_file: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  password: z.string().optional(),
  agent: z.union([z.boolean(), z.string().min(1)]).optional(),
  passphrase: z.string().optional(),
  known_hosts_file: z.string().min(1).optional(),
  host_key_check: z.enum(HOST_KEY_CHECKS).default('accept-new'),
  timeout: durationField.default(10_000),
};

/** One hop of a jump chain: the same options, without a further jump of its own. */
const jumpOptions = strictTable(baseShape);

/** The options of `ssh.connect` and of every call that takes connect options directly, as users write them. */
export const connectOptions = strictTable({
  ...baseShape,
  jump: jumpOptions.optional(),
});

/** Connect options after checking: port, host-key check and timeout have their defaults. */
export type ConnectOptions = z.output<typeof connectOptions>;

/** The pool key of a connection: one TCP connection per user, host and port (and jump host). */
export function connectionKey(options: ConnectOptions): string {
  const own = `${options.user ?? ''}@${options.host}:${options.port}`;
  return options.jump ? `${connectionKey({ ...options.jump, jump: undefined })}>${own}` : own;
}

/** `user@host:port` for messages: never a credential. */
export function describeTarget(options: Pick<ConnectOptions, 'host' | 'port' | 'user'>): string {
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return `${options.user ? `${options.user}@` : ''}${host}${options.port === 22 ? '' : `:${options.port}`}`;
}

/**
 * Reads `ssh://[user@]host[:port]` (as `target` and `:delegate_to` take it) into connect options; undefined when the
 * text is not an ssh:// URL. A password in the URL is refused: it would end up in logs and run records.
 */
export function parseSshUrl(text: string): ConnectOptions | undefined {
  if (!text.startsWith('ssh://')) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SlothError('invalid_argument', `'${text}' is not a valid ssh:// address`, {
      hint: 'write it as ssh://user@host:port (the user and port may be left out)',
    });
  }
  if (url.password) {
    throw new SlothError('invalid_argument', `an ssh:// address must not hold a password (${describeUrl(url)})`, {
      hint: 'use a key (key_file in the inventory, or an ssh agent), or a password from secret.get through ssh.connect',
    });
  }
  if (url.pathname !== '' && url.pathname !== '/') {
    throw new SlothError('invalid_argument', `an ssh:// address names a host, not a path: '${text}'`, {
      hint: 'write it as ssh://user@host:port',
    });
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return connectOptions.parse({
    host,
    ...(url.port ? { port: Number(url.port) } : {}),
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
  });
}

function describeUrl(url: URL): string {
  return `ssh://${url.username ? `${url.username}@` : ''}${url.host}`;
}
