import { defineModule } from '@sloth/core';
import { checkout, pull } from './checkout-pull.js';
import { clone } from './clone.js';
import { commit, push, tag } from './commit-push.js';
import { fetch } from './fetch.js';
import { currentBranch, currentCommit, diff, status } from './queries.js';

export const gitModule = defineModule({
  name: 'git',
  importFrom: import.meta.url,
  doc:
    'Git repositories through the real git CLI, non-interactive (prompts off: a missing credential fails at once; ssh ' +
    'in batch mode, key_file for a key). clone, checkout, pull, fetch, commit, push and tag are idempotent and report ' +
    'changed (HEAD or a ref moved); check mode reads remotes with ls-remote and changes nothing. Credentials in URLs ' +
    'are masked in logs, errors and results.',
  functions: {
    clone,
    checkout,
    pull,
    fetch,
    commit,
    push,
    tag,
    status,
    current_commit: currentCommit,
    current_branch: currentBranch,
    diff,
  },
});
