import { SlothError } from '@sloth/core';

/** Where a request goes: the URL without credentials, how it is shown, and the credentials it carried. */
export interface Target {
  /** The URL fetched: credentials removed (fetch refuses them), the query added. */
  url: URL;
  /** The URL as messages show it: never holds a password. */
  shown: string;
  /** `user:password@` from the URL, sent as basic auth. */
  credentials: { user: string; password: string } | undefined;
}

/** Text with every `scheme://user:password@` reduced to `scheme://user:***@`, for messages about a URL given raw. */
export function maskCredentials(text: string): string {
  // Up to the last @ before the path: a password may hold an unescaped @ of its own.
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^/\s]*@/gi, '$1:***@');
}

/** Parses and checks a request's URL (http or https), moving its credentials out and adding `query`. */
export function parseTarget(fn: string, raw: string, query: Record<string, string> | undefined): Target {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SlothError('invalid_argument', `${fn}: invalid URL "${maskCredentials(raw)}"`, {
      hint: 'write a full URL with its scheme, like "https://example.com/health"',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SlothError('invalid_argument', `${fn}: unsupported URL scheme "${url.protocol}" in "${maskCredentials(raw)}"`, {
      hint: 'use an http:// or https:// URL',
    });
  }
  const credentials =
    url.username || url.password
      ? { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
      : undefined;
  url.username = '';
  url.password = '';
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.append(key, value);
  return { url, shown: url.href, credentials };
}
