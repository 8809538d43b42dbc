import { cp, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { SlothError } from './errors.js';
import { makeDirectory } from './make-directory.js';

/** Copies a task's declared artifacts out of its workdir into the run's artifact store. */
export async function publishArtifacts(store: string, task: string, workdir: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    const source = resolve(workdir, path);
    try {
      await stat(source);
    } catch {
      throw new SlothError('task_failed', `artifact '${path}' of task '${task}' was not produced (looked for ${source})`, {
        hint: 'create the file in the task workdir, or remove it from artifacts()',
      });
    }
    const dir = join(store, encodeURIComponent(task));
    await makeDirectory(dir);
    await cp(source, join(dir, basename(path)), { recursive: true });
  }
}

/** Copies artifacts produced by earlier tasks of the run into a consuming task's workdir. */
export async function consumeArtifacts(
  store: string,
  task: string,
  workdir: string,
  names: string[],
  producers: Map<string, string>,
): Promise<void> {
  for (const name of names) {
    const producer = producers.get(basename(name));
    if (!producer) {
      throw new SlothError('task_failed', `task '${task}' consumes artifact '${name}', but no finished task produced it`, {
        hint: 'declare it with artifacts() on a task this one depends on',
      });
    }
    await makeDirectory(workdir);
    await cp(join(store, encodeURIComponent(producer), basename(name)), join(workdir, basename(name)), { recursive: true });
  }
}
