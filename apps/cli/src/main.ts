// The entry point of the bundle (dist/bundle/main.js, see scripts/bundle-app.mjs): oclif and every command, so that
// bin/run.js loads a few bundled files instead of resolving ~1,000.
export { execute } from '@oclif/core';
export { commandNotFound as COMMAND_NOT_FOUND } from './command-not-found.js';
export { COMMANDS } from './commands.js';
