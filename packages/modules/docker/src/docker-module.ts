import { defineModule } from '@sloth/core';
import { container } from './container-resource.js';
import { exec, inspect, logs, ps, rm, run, stop } from './containers.js';
import { DOCKER } from './docker-cli.js';
import { build, pull, push } from './images.js';
import { networkCreate, volumeCreate } from './networks-volumes.js';

export const dockerModule = defineModule({
  name: 'docker',
  importFrom: import.meta.url,
  tools: [DOCKER],
  doc:
    'Docker through the real docker CLI (SLOTH_DOCKER_BIN to pick one): argument lists, never a shell; output ' +
    'streamed to the task log; the docker process killed with the task or at its timeout. Results carry success, ' +
    "exit_code, stdout, stderr and error (docker's own message) rather than raising. docker.container is the " +
    'idempotent form (recreates only when the spec differs); in check mode nothing is created, run, pulled or removed.',
  functions: {
    container,
    build,
    run,
    stop,
    rm,
    pull,
    push,
    exec,
    inspect,
    ps,
    logs,
    network_create: networkCreate,
    volume_create: volumeCreate,
  },
});
