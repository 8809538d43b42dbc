import { SlothError } from '@sloth/core';
import { toEncodable } from './lua-values.js';
import { lineColumn, lowerFirst } from './text.js';

/** Encodes a Lua value as JSON: compact, or indented by `indent` spaces. */
export function encodeJson(value: unknown, who: string, indent?: number): string {
  return JSON.stringify(toEncodable(value, { who, allowNonFinite: false }), null, indent);
}

/** Decodes JSON text; JSON null becomes nil, and a syntax error says what and where. */
export function decodeJson(text: string, who: string): unknown {
  try {
    return JSON.parse(text, (_key, value) => (value === null ? undefined : value));
  } catch (err) {
    throw new SlothError('invalid_argument', `${who}: invalid JSON: ${describeSyntaxError(text, (err as Error).message)}`, {
      hint: 'check the text is JSON (double-quoted keys and strings, no trailing commas, no comments)',
      cause: err,
    });
  }
}

function describeSyntaxError(text: string, message: string): string {
  const at = /^(.*?)(?: in JSON)? at position (\d+)/s.exec(message);
  if (at) {
    const { line, column } = lineColumn(text, Number(at[2]));
    return `${lowerFirst(at[1] as string)} at line ${line}, column ${column}`;
  }
  if (message.startsWith('Unexpected end of JSON input')) {
    if (text.trim() === '') return 'the text is empty';
    const { line, column } = lineColumn(text, text.length);
    return `unexpected end of input at line ${line}, column ${column}`;
  }
  // V8 quotes the whole input after the token; the token is the useful part.
  const token = /^(Unexpected token '.*?'),/s.exec(message);
  return lowerFirst(token ? (token[1] as string) : message);
}
