import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/** A unified diff of a text change, or why there is none (binary or very large content). */
export interface TextDiff {
  diff?: string | undefined;
  skipped?: string | undefined;
}

// Past these, a diff is more noise than help in a terminal or a JSON report, and costs time to compute.
const MAX_DIFF_BYTES = 1024 * 1024;
const MAX_EDIT_LENGTH = 20_000;

/**
 * The unified diff between two contents of `path` (`--- before: PATH` / `+++ after: PATH`); undefined content is an
 * absent file. Binary content (a NUL byte) and content over 1 MiB get a reason in `skipped` instead.
 */
export function textDiff(
  path: string,
  before: string | Uint8Array | undefined,
  after: string | Uint8Array | undefined,
): TextDiff {
  for (const side of [before, after]) {
    if (side === undefined) continue;
    const bytes = typeof side === 'string' ? Buffer.byteLength(side) : side.byteLength;
    if (bytes > MAX_DIFF_BYTES) return { skipped: 'content larger than 1 MiB' };
    if (isBinary(side)) return { skipped: 'binary content' };
  }
  const diff = createTwoFilesPatch(`before: ${path}`, `after: ${path}`, asText(before), asText(after), undefined, undefined, {
    headerOptions: FILE_HEADERS_ONLY,
    context: 3,
    maxEditLength: MAX_EDIT_LENGTH,
  });
  return diff === undefined ? { skipped: 'too many differences to show' } : { diff };
}

function asText(content: string | Uint8Array | undefined): string {
  if (content === undefined) return '';
  return typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
}

// The test git and diff(1) use: a NUL byte in the first 8000 bytes.
function isBinary(content: string | Uint8Array): boolean {
  if (typeof content === 'string') return content.slice(0, 8000).includes('\0');
  return Buffer.from(content.buffer, content.byteOffset, Math.min(content.byteLength, 8000)).includes(0);
}
