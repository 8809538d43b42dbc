import { isPlainObject, registerSecret, SlothError } from '@sloth/core/internal';
import { isPair, isScalar, isSeq, type Node, parseDocument, Scalar, visit } from 'yaml';

/** What encrypts and decrypts a leaf under the data directory's secret key (SecretRepo's sealValue/openValue). */
export interface ValueCipher {
  sealValue(plain: string, context: string): string;
  openValue(sealed: string, context: string): string | undefined;
}

// SOPS-like: the keys stay readable (diffs stay meaningful), each leaf becomes ENC[AES256_GCM,<sealed>,type:<type>].
const ENC = /^ENC\[AES256_GCM,(v1:[A-Za-z0-9+/=]+),type:(str|int|float|bool)\]$/;
type LeafType = 'str' | 'int' | 'float' | 'bool';

/** True for a leaf encrypted by encrypt-values. */
export function isEncryptedLeaf(value: unknown): value is string {
  return typeof value === 'string' && ENC.test(value);
}

/**
 * The text of a YAML values file with every leaf (string, number, boolean) encrypted in place; keys, comments and
 * leaves already encrypted are kept. Returns how many leaves it encrypted.
 */
export function encryptValuesText(text: string, cipher: ValueCipher, file: string): { text: string; count: number } {
  const doc = parsed(text, file);
  let count = 0;
  visit(doc, {
    Scalar(key, node, path) {
      if (key === 'key' || node.value === null || isEncryptedLeaf(node.value)) return;
      const type = leafType(node.value);
      if (type === undefined) return;
      const sealed = cipher.sealValue(String(node.value), keyPath(path, node));
      node.value = `ENC[AES256_GCM,${sealed},type:${type}]`;
      node.type = Scalar.PLAIN;
      count += 1;
    },
  });
  return { text: doc.toString(), count };
}

/** The text of a values file with every encrypted leaf decrypted in place, back to its type. */
export function decryptValuesText(text: string, cipher: ValueCipher, file: string): { text: string; count: number } {
  const doc = parsed(text, file);
  let count = 0;
  visit(doc, {
    Scalar(key, node, path) {
      if (key === 'key' || !isEncryptedLeaf(node.value)) return;
      node.value = openLeaf(node.value, keyPath(path, node), cipher, file);
      // The default style quotes a string only when it must ("123" stays a string).
      node.type = undefined;
      count += 1;
    },
  });
  return { text: doc.toString(), count };
}

/**
 * A parsed values tree with its encrypted leaves decrypted (for `-v`), each decrypted value masked in the run as a
 * secret. `cipher` is asked for only when an encrypted leaf is found.
 */
export function decryptValuesTree(value: unknown, cipher: () => ValueCipher, file: string, path: string[] = []): unknown {
  if (isEncryptedLeaf(value)) {
    const plain = openLeaf(value, path.join('.'), cipher(), file);
    registerSecret(String(plain));
    return plain;
  }
  if (Array.isArray(value)) return value.map((v, i) => decryptValuesTree(v, cipher, file, [...path, String(i)]));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = decryptValuesTree(v, cipher, file, [...path, k]);
    return out;
  }
  return value;
}

/** True when a parsed values tree holds an encrypted leaf. */
export function hasEncryptedLeaf(value: unknown): boolean {
  if (isEncryptedLeaf(value)) return true;
  if (Array.isArray(value)) return value.some(hasEncryptedLeaf);
  if (isPlainObject(value)) return Object.values(value).some(hasEncryptedLeaf);
  return false;
}

function openLeaf(leaf: string, context: string, cipher: ValueCipher, file: string): string | number | boolean {
  const [, sealed, type] = ENC.exec(leaf) as RegExpExecArray;
  const plain = cipher.openValue(sealed as string, context);
  if (plain === undefined) {
    throw new SlothError('usage', `values file ${file}: the value of '${context}' cannot be decrypted`, {
      hint: 'it was encrypted with the key of another data directory or passphrase, moved to another key, or changed; encrypt it again with `sloth-runner secret encrypt-values`',
    });
  }
  switch (type as LeafType) {
    case 'int':
    case 'float':
      return Number(plain);
    case 'bool':
      return plain === 'true';
    default:
      return plain;
  }
}

function leafType(value: unknown): LeafType | undefined {
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return undefined;
}

/** The key path of a leaf (`db.password`, `hosts.0`), from the nodes above it: what its encryption is bound to. */
function keyPath(path: readonly unknown[], leaf: Node): string {
  const parts: string[] = [];
  const chain = [...path, leaf];
  chain.forEach((node, i) => {
    if (isPair(node)) parts.push(String(isScalar(node.key) ? node.key.value : node.key));
    else if (isSeq(node)) parts.push(String(node.items.indexOf(chain[i + 1] as never)));
  });
  return parts.join('.');
}

function parsed(text: string, file: string) {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new SlothError('usage', `values file ${file} is not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}`, {
      hint: 'fix the YAML (check indentation and quotes)',
    });
  }
  return doc;
}
