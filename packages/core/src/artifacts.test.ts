import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consumeArtifacts, publishArtifacts } from './artifacts.js';
import { SlothError } from './errors.js';

let root: string;
let store: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sloth-art-'));
  store = join(root, 'store');
  await mkdir(store);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('publishArtifacts / consumeArtifacts', () => {
  it('round-trips a file in a subdirectory and a directory tree', async () => {
    const producer = join(root, 'p');
    await mkdir(join(producer, 'dist', 'assets'), { recursive: true });
    await writeFile(join(producer, 'dist', 'app.js'), 'js');
    await writeFile(join(producer, 'dist', 'assets', 'logo.svg'), 'svg');
    await publishArtifacts(store, 'build/web', producer, ['dist/app.js', 'dist/assets']);

    const consumer = join(root, 'c', 'not-yet-created');
    const producers = new Map([
      ['app.js', 'build/web'],
      ['assets', 'build/web'],
    ]);
    await consumeArtifacts(store, 'deploy', consumer, ['app.js', 'assets'], producers);
    expect(await readFile(join(consumer, 'app.js'), 'utf8')).toBe('js');
    expect(await readFile(join(consumer, 'assets', 'logo.svg'), 'utf8')).toBe('svg');
  });

  it('reports an artifact that was not produced, with the path it looked at', async () => {
    const err = await publishArtifacts(store, 'build', root, ['nope.bin']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlothError);
    expect((err as SlothError).code).toBe('task_failed');
    expect((err as SlothError).message).toBe(
      `artifact 'nope.bin' of task 'build' was not produced (looked for ${join(root, 'nope.bin')})`,
    );
  });

  it('reports an artifact that no task produced', async () => {
    const err = await consumeArtifacts(store, 'deploy', root, ['ghost'], new Map()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlothError);
    expect((err as SlothError).message).toBe("task 'deploy' consumes artifact 'ghost', but no finished task produced it");
    expect((err as SlothError).hint).toMatch(/artifacts\(\)/);
  });
});
