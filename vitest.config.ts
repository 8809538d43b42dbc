import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const ALL = [
  'packages/**/src/**/*.test.ts',
  'packages/**/test/**/*.test.ts',
  'apps/**/src/**/*.test.ts',
  'apps/**/test/**/*.test.ts',
  'examples/**/*.test.ts',
];

/**
 * Test files that change this machine itself (real dpkg/apt packages, real users and groups, a Docker engine with
 * its bridge): two at once would fight over dpkg's lock or /etc/passwd, so they run one after the other, after the
 * rest.
 */
const MACHINE = [
  'apps/cli/test/configure-server.test.ts',
  'apps/cli/test/docker.test.ts',
  'apps/cli/test/ssh-targets.test.ts',
  'packages/core/src/host.test.ts',
  'packages/lua/src/http-crypto-workflow.test.ts',
  'packages/lua/src/pkg-workflow.test.ts',
  'packages/lua/src/user-module.test.ts',
  'packages/modules/docker/src/docker-engine.test.ts',
  'packages/modules/pkg/src/**/*.test.ts',
  'packages/modules/user/src/**/*.test.ts',
];

const NEVER = ['**/node_modules/**', '**/dist/**'];

// Most files spend their time waiting on the processes they start (the CLI, masters, agents, sshd), so files run
// two at a time even on two cores (Vitest's default there is one); SLOTH_TEST_WORKERS overrides it.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: Vitest runs after turbo, not as one of its tasks.
const workers = Number(process.env.SLOTH_TEST_WORKERS) || Math.max(2, availableParallelism());

export default defineConfig({
  test: {
    pool: 'forks',
    reporters: ['default', './scripts/plain-summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'files', include: ALL, exclude: [...NEVER, ...MACHINE], maxWorkers: workers } },
      { extends: true, test: { name: 'machine', include: MACHINE, exclude: NEVER, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
