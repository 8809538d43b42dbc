import { describe, expect, it } from 'vitest';
import { textDiff } from './text-diff.js';

describe('textDiff', () => {
  it('is a unified diff with before/after headers', () => {
    const { diff, skipped } = textDiff('/etc/app.conf', 'a\nb\nc\n', 'a\nB\nc\n');
    expect(skipped).toBeUndefined();
    expect(diff).toBe('--- before: /etc/app.conf\n+++ after: /etc/app.conf\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
  });

  it('shows a new file as all additions and a removed one as all deletions', () => {
    expect(textDiff('f', undefined, 'x\n').diff).toContain('@@ -0,0 +1,1 @@\n+x\n');
    expect(textDiff('f', 'x\n', undefined).diff).toContain('@@ -1,1 +0,0 @@\n-x\n');
  });

  it('skips binary and very large content, saying why', () => {
    expect(textDiff('f', 'a\n', Buffer.from([0x41, 0, 0x42]))).toEqual({ skipped: 'binary content' });
    expect(textDiff('f', 'a\0b', 'a\n')).toEqual({ skipped: 'binary content' });
    expect(textDiff('f', 'a\n', 'x'.repeat(1024 * 1024 + 1))).toEqual({ skipped: 'content larger than 1 MiB' });
  });
});
