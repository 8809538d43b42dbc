import { deepMerge, isPlainObject, parseAssignment, readUserFile, SlothError, setPath } from '@sloth/core/internal';
import { parse, YAMLParseError } from 'yaml';
import { decryptValuesTree, type ValueCipher } from './values-crypt.js';

function noCipher(): ValueCipher {
  throw new SlothError('usage', 'a values file holds encrypted values, and no data directory was given to decrypt them', {
    hint: 'run it with --data-dir (or $SLOTH_HOME) set to the directory whose key encrypted them',
  });
}

/**
 * Reads `-v` files (deep-merged in order), each with its encrypted leaves (`secret encrypt-values`) decrypted by
 * `cipher`, and applies `--set a.b=c` on top.
 */
export async function loadValues(
  files: string[],
  sets: string[],
  cipher: () => ValueCipher = noCipher,
): Promise<Record<string, unknown>> {
  let values: Record<string, unknown> = {};
  for (const file of files) {
    const text = await readUserFile(file, 'values file', 'pass the path of a YAML file with -v');
    let parsed: unknown;
    try {
      parsed = parse(text);
    } catch (err) {
      const where = err instanceof YAMLParseError && err.linePos ? `:${err.linePos[0].line}:${err.linePos[0].col}` : '';
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new SlothError('usage', `values file ${file}${where} is not valid YAML: ${message}`, {
        hint: 'fix the YAML (check indentation and quotes)',
      });
    }
    if (parsed === null || parsed === undefined) continue;
    if (!isPlainObject(parsed)) {
      throw new SlothError(
        'usage',
        `values file ${file} must hold a mapping (key: value), not a ${Array.isArray(parsed) ? 'list' : typeof parsed}`,
      );
    }
    values = deepMerge(values, decryptValuesTree(parsed, cipher, file)) as Record<string, unknown>;
  }
  for (const assignment of sets) {
    const [path, value] = parseKeyValue(assignment, '--set');
    if (path.split('.').includes('')) {
      throw new SlothError('usage', `--set ${assignment}: the key '${path}' has an empty part`, {
        hint: 'name every level, separated by single dots: --set db.host=example.com',
      });
    }
    values = setPath(values, path, value) as Record<string, unknown>;
  }
  return values;
}

/** Parses repeated `--param k=v` into a table. */
export function loadParams(pairs: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const [key, value] = parseKeyValue(pair, '--param');
    params[key] = value;
  }
  return params;
}

function parseKeyValue(text: string, flag: string): [string, unknown] {
  try {
    return parseAssignment(text);
  } catch {
    throw new SlothError('usage', `${flag} expects key=value, got "${text}"`, { hint: `for example ${flag} env=prod` });
  }
}
