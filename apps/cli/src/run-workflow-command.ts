import { SlothError } from '@sloth/core';
import { EXIT, exitCodeForRun } from './exit-codes.js';
import { openWorkflowFile } from './open-workflow-file.js';
import { createRenderer, type OutputMode } from './render/renderers.js';
import { lazyServices } from './store-access.js';

export interface RunCommandOptions {
  name: string | undefined;
  file: string;
  values: string[] | undefined;
  set: string[] | undefined;
  param: string[] | undefined;
  output: OutputMode;
  debug: boolean;
  dataDir: string | undefined;
}

/** `workflow run`: load, pick the workflow, run it with SIGINT/SIGTERM wired to cancellation, render, set the exit code. */
export async function runWorkflowCommand(options: RunCommandOptions): Promise<void> {
  const renderer = createRenderer(options.output, {
    debug: options.debug,
    tty: Boolean(process.stdout.isTTY) && (process.stdout.columns ?? 0) > 0 && !process.env.CI,
  });
  const store = lazyServices(options.dataDir);
  const { file, params } = await openWorkflowFile({ ...options, observer: renderer.observer, services: store.services }).catch(
    (err) => {
      store.close();
      throw err;
    },
  );
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) {
      process.stderr.write(`\n${signal} again: exiting now\n`);
      process.exit(EXIT.interrupted);
    }
    process.stderr.write(`\n${signal} received: stopping running tasks (send it again to exit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const workflow = file.findWorkflow(options.name);
    const delegated = workflow.tasks.find((t) => t.delegateTo !== undefined);
    if (delegated) {
      throw new SlothError(
        'usage',
        `task '${delegated.name}' is delegated to ${delegated.delegateTo?.join(', ')}, but this build of sloth-runner has no master/agent support to delegate to`,
        { location: delegated.location, hint: 'remove :delegate_to(...) to run the task on this machine' },
      );
    }
    const result = await file.run(workflow, { params, signal: controller.signal, observer: renderer.observer });
    renderer.finish(result);
    process.exitCode = exitCodeForRun(result.status);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    file.close();
    store.close();
  }
}
