import { defineModule } from '@sloth/core';
import { PULUMI } from './pulumi-cli.js';
import { destroy, previewFn, refresh, stackOutput, stackSelect, up } from './stack-ops.js';

export const pulumiModule = defineModule({
  name: 'pulumi',
  importFrom: import.meta.url,
  tools: [PULUMI],
  doc:
    'Pulumi through the real pulumi CLI (SLOTH_PULUMI_BIN to pick one): argument lists, never a shell; never ' +
    'prompting (--non-interactive); output streamed to the task log; pulumi killed with the task or at its timeout. ' +
    'Every function takes cwd (the project directory), stack, config and timeout. up previews first and updates ' +
    'only when there are changes; in check mode up, destroy and refresh only preview.',
  functions: {
    up,
    preview: previewFn,
    destroy,
    refresh,
    stack_select: stackSelect,
    stack_output: stackOutput,
  },
});
