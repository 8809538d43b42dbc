import { SlothError } from '@sloth/core';

/** The port a master listens on when none is given. */
export const DEFAULT_MASTER_PORT = 50053;

/**
 * The base URL of a master from what people type: `host:port`, `host` (port 50053), `[::1]:port`, or a full
 * `http://` / `https://` URL. Without a scheme, https is used when `tls` (a CA was given), else http.
 */
export function masterBaseUrl(address: string, tls = false): string {
  const text = address.trim();
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `${tls ? 'https' : 'http'}://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw badAddress(address);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.hostname === '' ||
    // URL drops an empty port ("host:" means "host"); people who typed the colon meant to give one.
    /:\/?$/.test(text) ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    throw badAddress(address);
  }
  return `${url.protocol}//${url.hostname}:${url.port || DEFAULT_MASTER_PORT}`;
}

/** True when `text` looks like an address (has a port, a scheme, or dots/colons) rather than a saved master's name. */
export function looksLikeAddress(text: string): boolean {
  return /^[a-z]+:\/\//i.test(text) || /:\d+$/.test(text) || text.includes('.') || text.startsWith('[') || text === 'localhost';
}

function badAddress(address: string): SlothError {
  return new SlothError('usage', `'${address}' is not a master address`, {
    hint: 'use host:port (e.g. 10.0.0.5:50053), or http(s)://host:port',
  });
}
