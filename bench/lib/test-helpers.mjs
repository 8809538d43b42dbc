// The modules' own TypeScript test helpers (real .deb files, a private apt repository, account facts), loaded here
// instead of copied: esbuild bundles each into bench/.work/helpers/ (with what it imports from the workspace) and the
// bench imports the result.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { REPO, WORK } from './paths.mjs';

const HELPERS = {
  deb: 'packages/modules/pkg/src/deb.test-helper.ts',
  user: 'packages/modules/user/src/user-test.test-helper.ts',
};

/** The helper module `key` (deb, user) of HELPERS, bundled for Node and imported. */
async function load(key) {
  const outfile = join(WORK, 'helpers', `${key}.mjs`);
  await build({
    entryPoints: [join(REPO, HELPERS[key])],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  return import(pathToFileURL(outfile).href);
}

/** packages/modules/pkg/src/deb.test-helper.ts: buildDeb, dpkgStatus, localRepository, cleanUp. */
export const debHelpers = () => load('deb');

/** packages/modules/user/src/user-test.test-helper.ts: getent, accountMtimes. */
export const userHelpers = () => load('user');
