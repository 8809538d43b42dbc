import { defineModule } from '@sloth/core';
import { init, initInternal } from './init-client.js';
import { apply, destroy, plan } from './plan-apply.js';
import { fmt, output, show, stateList, validate, workspaceNew, workspaceSelect } from './queries.js';
import { TERRAFORM } from './terraform-cli.js';
import { createTfvars } from './tfvars.js';

export const terraformModule = defineModule({
  name: 'terraform',
  importFrom: import.meta.url,
  tools: [TERRAFORM],
  doc:
    'Terraform through the real terraform CLI (SLOTH_TERRAFORM_BIN to pick one): argument lists, never a shell; ' +
    'output streamed to the task log; no prompts (TF_INPUT=0). Results carry success, exit_code, stdout, stderr and ' +
    "error (terraform's message, with the .tf file and line) rather than raising, so a workflow can branch on them. " +
    'apply and destroy plan first and change nothing when the plan is empty; in check mode they only plan.',
  functions: {
    init,
    plan,
    apply,
    destroy,
    output,
    validate,
    fmt,
    show,
    state_list: stateList,
    workspace_select: workspaceSelect,
    workspace_new: workspaceNew,
    create_tfvars: createTfvars,
  },
  internals: { _init: initInternal },
});
