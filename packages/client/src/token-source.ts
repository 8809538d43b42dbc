import { readFileSync } from 'node:fs';
import { SlothError } from '@sloth/core';

/** Where a token may come from, first match wins: --token, --token-file, then $SLOTH_TOKEN. */
export interface TokenSources {
  token?: string | undefined;
  tokenFile?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}

/** The token to use, or undefined when none is given. A token file that cannot be read or is empty is an error. */
export function resolveToken(sources: TokenSources): string | undefined {
  if (sources.token !== undefined && sources.token !== '') return sources.token.trim();
  if (sources.tokenFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(sources.tokenFile, 'utf8').trim();
    } catch (err) {
      throw new SlothError(
        'usage',
        `cannot read the token file ${sources.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? err}`,
        {
          hint: 'check the path and its permissions',
        },
      );
    }
    if (text === '') throw new SlothError('usage', `the token file ${sources.tokenFile} is empty`);
    return text;
  }
  const fromEnv = (sources.env ?? process.env).SLOTH_TOKEN;
  return fromEnv && fromEnv.trim() !== '' ? fromEnv.trim() : undefined;
}

/** Reads a PEM file (certificate, key, CA) for TLS, with an error that names the flag. */
export function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new SlothError('usage', `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}
