// Writes oclif.manifest.json (after tsc, as `npm run build` does): with it, the CLI lists this plugin's commands
// without importing them, so a command of the plugin is loaded only when it runs.
import { writeFileSync } from 'node:fs';
import { Plugin } from '@oclif/core';

const plugin = new Plugin({ root: process.cwd(), type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
writeFileSync('oclif.manifest.json', `${JSON.stringify(plugin.manifest, null, 2)}\n`);
