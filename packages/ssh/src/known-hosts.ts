import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SlothError } from '@sloth/core';
import type { HostKeyCheck } from './connect-options.js';

/** OpenSSH's fingerprint of a public key blob: `SHA256:` and unpadded base64. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a public key blob (its first SSH string, e.g. `ssh-ed25519`). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** How OpenSSH names a host in known_hosts: `host`, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** One key line: the names it is for (plain, or hashed `|1|salt|hash`), the key type and blob. */
interface KnownKey {
  matches(name: string): boolean;
  type: string;
  blob: Buffer;
}

function parseLine(line: string): KnownKey | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('@')) return undefined;
  const [names, type, base64] = trimmed.split(/\s+/);
  if (!names || !type || !base64) return undefined;
  const blob = Buffer.from(base64, 'base64');
  if (names.startsWith('|1|')) {
    const [, , salt, hash] = names.split('|');
    if (!salt || !hash) return undefined;
    const key = Buffer.from(salt, 'base64');
    return {
      matches: (name) => createHmac('sha1', key).update(name).digest('base64') === hash,
      type,
      blob,
    };
  }
  const list = names.split(',');
  return { matches: (name) => list.includes(name), type, blob };
}

/**
 * Checks a host's key against a known-hosts file (OpenSSH's format, hashed names read too) and, in accept-new mode,
 * records a host seen for the first time. A key that differs from the one recorded is always refused: it is what a
 * machine-in-the-middle looks like.
 */
export class KnownHosts {
  /** Appends are serialised so that concurrent first connections never interleave lines. */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  /** Resolves when the key is acceptable for host:port under `mode`; throws a SlothError naming both keys otherwise. */
  async verify(host: string, port: number, blob: Buffer, mode: HostKeyCheck): Promise<void> {
    if (mode === 'off') return;
    const name = knownHostsName(host, port);
    const type = keyType(blob);
    const known = (await this.read()).filter((k) => k.matches(name));
    if (known.some((k) => k.type === type && k.blob.equals(blob))) return;
    const sameType = known.find((k) => k.type === type) ?? known[0];
    if (sameType) {
      throw new SlothError(
        'unauthenticated',
        `the host key of ${name} changed: ${this.file} has ${sameType.type} ${fingerprint(sameType.blob)}, the host offered ${type} ${fingerprint(blob)}; refusing to connect`,
        {
          hint: `if the host was reinstalled, remove its line from ${this.file} (ssh-keygen -R '${name}' -f ${this.file}); otherwise someone may be intercepting the connection`,
        },
      );
    }
    if (mode === 'strict') {
      throw new SlothError(
        'unauthenticated',
        `${name} is not in ${this.file} (it offered ${type} ${fingerprint(blob)}) and host_key_check is strict`,
        {
          hint: `add its key (ssh-keyscan -p ${port} ${host} >> ${this.file}), or use host_key_check = "accept-new" to record it on first use`,
        },
      );
    }
    await this.append(`${name} ${type} ${blob.toString('base64')}\n`);
  }

  private async read(): Promise<KnownKey[]> {
    await this.writing;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return text.split('\n').flatMap((line) => parseLine(line) ?? []);
  }

  private append(line: string): Promise<void> {
    const next = this.writing.then(async () => {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      await appendFile(this.file, line, { mode: 0o600 });
    });
    this.writing = next.catch(() => {});
    return next;
  }
}
