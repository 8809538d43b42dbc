// The entry point of the bundle (dist/bundle/main.js, see scripts/bundle-app.mjs): oclif and every command, so that
// bin/run.js loads a few bundled files instead of resolving ~1,000.
import { settings } from '@oclif/core';

// Plugins run from their compiled files: oclif would otherwise try to run a linked plugin's TypeScript sources (and
// warn on every command that it cannot, for an ES module plugin).
settings.enableAutoTranspile = false;

export { execute } from '@oclif/core';
export { commandNotFound as COMMAND_NOT_FOUND } from './command-not-found.js';
export { COMMANDS } from './commands.js';
export { pluginManagerErrors as PLUGIN_MANAGER_ERRORS } from './plugin-manager-errors.js';
