import { SlothError } from '@sloth/core';
import { parse, stringify, YAMLParseError } from 'yaml';
import { toEncodable } from './lua-values.js';
import { lowerFirst } from './text.js';

/** Encodes a Lua value as a YAML document (block style, keys sorted, long strings never folded). */
export function encodeYaml(value: unknown, who: string): string {
  const data = toEncodable(value, { who, allowNonFinite: true });
  return stringify(data, { lineWidth: 0, aliasDuplicateObjects: false }) ?? 'null\n';
}

/** Decodes one YAML document (YAML 1.2 core schema, `<<` merge keys allowed); null becomes nil, errors give line and column. */
export function decodeYaml(text: string, who: string): unknown {
  try {
    return parse(text, (_key, value) => (value === null ? undefined : value), { merge: true, logLevel: 'error' });
  } catch (err) {
    throw describeYamlError(err, who);
  }
}

function describeYamlError(err: unknown, who: string): SlothError {
  if (err instanceof YAMLParseError) {
    // The parser's message ends with a code frame; the first line already says what and where.
    const first = err.message.split('\n')[0]?.replace(/:$/, '') ?? err.message;
    if (err.code === 'MULTIPLE_DOCS') {
      const pos = err.linePos?.[0];
      const where = pos ? ` (the second starts at line ${pos.line})` : '';
      return new SlothError('invalid_argument', `${who}: the text holds several YAML documents${where}`, {
        hint: "split it at the '---' lines and decode each document on its own",
        cause: err,
      });
    }
    return new SlothError('invalid_argument', `${who}: invalid YAML: ${lowerFirst(first)}`, {
      hint: 'check indentation (spaces, not tabs), quoting and that every key is followed by ": "',
      cause: err,
    });
  }
  return new SlothError('invalid_argument', `${who}: invalid YAML: ${lowerFirst((err as Error).message ?? String(err))}`, {
    cause: err,
  });
}
