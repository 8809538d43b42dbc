import { createHash } from 'node:crypto';

/** The SHA-256 of bytes or text (as UTF-8), in hex: how modules compare and report file contents. */
export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
