import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testContext } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { fsModule } from './fs-module.js';

const read = fsModule.readResource as NonNullable<typeof fsModule.readResource>;

describe('fs readResource (stack drift hook)', () => {
  it('reads back the recorded properties of a file: content, sha256, mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sloth-fs-drift-'));
    const path = join(dir, 'motd');
    writeFileSync(path, 'hello');
    chmodSync(path, 0o640);
    const { ctx } = testContext({ workdir: dir });
    const got = await read('file', 'motd', { path, content: 'x', sha256: '', mode: '0600' }, ctx);
    expect(got).toEqual({
      exists: true,
      properties: {
        path,
        content: 'hello',
        sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
        mode: '0640',
      },
    });
    expect((await read('file', 'motd', { path: 'motd', mode: 416 }, ctx))?.properties).toEqual({ path: 'motd', mode: 0o640 });
  });

  it('says a missing file does not exist, and other types are not checkable', async () => {
    const { ctx } = testContext();
    expect(await read('file', 'x', { path: join(tmpdir(), 'sloth-no-such-file-here') }, ctx)).toEqual({ exists: false });
    expect(await read('directory', 'x', { path: tmpdir() }, ctx)).toBeUndefined();
    expect(await read('file', 'x', {}, ctx)).toBeUndefined();
  });
});
