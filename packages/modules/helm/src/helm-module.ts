import { defineModule } from '@sloth/core';
import { HELM } from './helm-cli.js';
import { install, list, repoAdd, status, uninstall, upgradeRelease } from './releases.js';

export const helmModule = defineModule({
  name: 'helm',
  importFrom: import.meta.url,
  tools: [HELM],
  doc:
    'Helm through the real helm CLI (SLOTH_HELM_BIN to pick one): argument lists, never a shell; output streamed to ' +
    'the task log; helm killed with the task or at its timeout. Every function takes namespace, kubeconfig and ' +
    "kube_context. Results carry success, exit_code, stdout, stderr and error (helm's message); JSON is decoded. " +
    'In check mode install/upgrade run with --dry-run and nothing else changes.',
  functions: { install, upgrade: upgradeRelease, uninstall, list, status, repo_add: repoAdd },
});
