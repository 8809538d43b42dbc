import { defineModule } from '@sloth/core';
import { apply } from './apply.js';
import { KUBECTL } from './kubectl-cli.js';
import { del, exec, get, logs, rolloutRestart, rolloutStatus, rolloutUndo, scale, setImage, wait } from './objects.js';

export const kubernetesModule = defineModule({
  name: 'kubernetes',
  importFrom: import.meta.url,
  tools: [KUBECTL],
  doc:
    'Kubernetes through the real kubectl CLI (SLOTH_KUBECTL_BIN to pick one): argument lists, never a shell; output ' +
    'streamed to the task log; kubectl killed with the task or at its timeout. Every function takes kubeconfig, ' +
    "context and namespace. Results carry success, exit_code, stdout, stderr and error (kubectl's message); JSON " +
    'is decoded. In check mode apply runs kubectl diff and delete, rollout_undo and set_image a server dry run.',
  functions: {
    apply,
    get,
    delete: del,
    rollout_status: rolloutStatus,
    rollout_restart: rolloutRestart,
    rollout_undo: rolloutUndo,
    set_image: setImage,
    wait,
    logs,
    exec,
    scale,
  },
});
