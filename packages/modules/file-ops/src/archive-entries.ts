import { posix } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type yauzl from 'yauzl';

/** One entry of an archive, its path relative to where it is unpacked (checked: it stays inside). */
export type ArchiveEntry =
  | { type: 'file'; path: string; mode: number; data: Buffer }
  | { type: 'directory'; path: string; mode: number }
  | { type: 'link'; path: string; target: string };

/** An archive entry that would land outside the destination, or that we cannot unpack. */
export class UnsafeEntryError extends Error {}

/** The entries of a .tar, .tar.gz / .tgz or .zip archive (told apart by their first bytes), in archive order. */
export async function readArchive(bytes: Buffer): Promise<ArchiveEntry[]> {
  if (bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04')) || bytes.subarray(0, 4).equals(Buffer.from('PK\x05\x06'))) {
    return belowNoLink(await readZip(bytes));
  }
  const tar = bytes[0] === 0x1f && bytes[1] === 0x8b ? await promisify(gunzip)(bytes) : bytes;
  if (tar.subarray(257, 262).toString('latin1') !== 'ustar') {
    throw new UnsafeEntryError('not a .tar, .tar.gz / .tgz or .zip archive');
  }
  return belowNoLink(await readTar(tar));
}

/**
 * Refuses an entry below a symlink of the same archive: each link is checked on its own, but a chain of them
 * ("a/b" -> "..", then "a/b/c" -> "..") climbs out of the destination through the links made on the way.
 */
function belowNoLink(entries: ArchiveEntry[]): ArchiveEntry[] {
  const links = new Set(entries.filter((e) => e.type === 'link').map((e) => e.path));
  for (const entry of entries) {
    for (let dir = posix.dirname(entry.path); dir !== '.'; dir = posix.dirname(dir)) {
      if (links.has(dir)) throw new UnsafeEntryError(`entry '${entry.path}' lies below the archive's symlink '${dir}'`);
    }
  }
  return entries;
}

/** An entry's path, normalised; refused when absolute or when it climbs out with "..". */
function safePath(name: string): string {
  const path = posix.normalize(name.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (posix.isAbsolute(name) || path === '..' || path.startsWith('../')) {
    throw new UnsafeEntryError(`entry '${name}' would be written outside the destination`);
  }
  return path;
}

/** A symlink entry, refused when it points outside the destination (absolute, or climbing out from where it is). */
function safeLink(name: string, target: string): ArchiveEntry {
  const path = safePath(name);
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (posix.isAbsolute(target) || resolved === '..' || resolved.startsWith('../')) {
    throw new UnsafeEntryError(`symlink '${name}' points outside the destination (to '${target}')`);
  }
  return { type: 'link', path, target };
}

// The archive libraries are loaded on first use: most runs unpack nothing, and every CLI start loads the modules.
async function readTar(bytes: Buffer): Promise<ArchiveEntry[]> {
  const { extract } = await import('tar-stream');
  return new Promise((resolve, reject) => {
    const entries: ArchiveEntry[] = [];
    const ex = extract();
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        try {
          const mode = (header.mode ?? 0o644) & 0o7777;
          if (header.type === 'file' || header.type === 'contiguous-file') {
            entries.push({ type: 'file', path: safePath(header.name), mode, data: Buffer.concat(chunks) });
          } else if (header.type === 'directory') {
            const path = safePath(header.name);
            if (path !== '.') entries.push({ type: 'directory', path, mode });
          } else if (header.type === 'symlink') {
            entries.push(safeLink(header.name, header.linkname ?? ''));
          } else {
            throw new UnsafeEntryError(
              `entry '${header.name}' is a ${header.type}, which is not unpacked (files, directories and symlinks are)`,
            );
          }
          next();
        } catch (err) {
          ex.destroy(err as Error);
        }
      });
      stream.resume();
    });
    ex.on('finish', () => resolve(entries));
    ex.on('error', reject);
    ex.end(bytes);
  });
}

async function readZip(bytes: Buffer): Promise<ArchiveEntry[]> {
  const { default: unzip } = await import('yauzl');
  return new Promise((resolve, reject) => {
    // yauzl refuses absolute and ".." names itself too; safePath says which entry in our words.
    unzip.fromBuffer(
      bytes,
      { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: false },
      (err, zip) => {
        if (err || !zip) return reject(err);
        const entries: ArchiveEntry[] = [];
        const fail = (e: unknown) => {
          zip.close();
          reject(e);
        };
        zip.on('entry', (entry: yauzl.Entry) => {
          const unixMode = (entry.externalFileAttributes >>> 16) & 0o177777;
          const isDir = entry.fileName.endsWith('/');
          const isLink = (unixMode & 0o170000) === 0o120000;
          if (isDir) {
            try {
              entries.push({ type: 'directory', path: safePath(entry.fileName), mode: unixMode & 0o7777 || 0o755 });
            } catch (e) {
              return fail(e);
            }
            return zip.readEntry();
          }
          zip.openReadStream(entry, (openErr, stream) => {
            if (openErr || !stream) return fail(openErr);
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('error', fail);
            stream.on('end', () => {
              try {
                const data = Buffer.concat(chunks);
                if (isLink) entries.push(safeLink(entry.fileName, data.toString('utf8')));
                else entries.push({ type: 'file', path: safePath(entry.fileName), mode: unixMode & 0o7777 || 0o644, data });
                zip.readEntry();
              } catch (e) {
                fail(e);
              }
            });
          });
        });
        zip.on('end', () => resolve(entries));
        zip.on('error', fail);
        zip.readEntry();
      },
    );
  });
}
