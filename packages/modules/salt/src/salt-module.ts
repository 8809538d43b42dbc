import { defineModule } from '@sloth/core';
import { SALT, SALT_CALL } from './salt-cli.js';
import { call, stateApply } from './salt-functions.js';

export const saltModule = defineModule({
  name: 'salt',
  importFrom: import.meta.url,
  tools: [SALT_CALL, SALT],
  doc:
    'Salt through the real salt-call (local, the default) or salt (with target, on a master) CLIs ' +
    '(SLOTH_SALT_CALL_BIN, SLOTH_SALT_BIN to pick them): argument lists, never a shell; killed with the task or at ' +
    'its timeout. Returns are decoded from --out json; state runs are parsed into per-state changes, result and ' +
    'comment. In check mode state_apply runs with test=True and call is skipped.',
  functions: { call, state_apply: stateApply },
});
