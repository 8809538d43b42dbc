import type { ModuleSpec } from '@sloth/core';
import { dataModule, jsonModule, yamlModule } from '@sloth/module-data';
import { execModule } from '@sloth/module-exec';
import { fsModule } from '@sloth/module-fs';
import { logModule } from '@sloth/module-log';

/** The native modules every workflow gets as globals, in the order `modules list` shows them. */
export const builtinModules: ModuleSpec[] = [logModule, execModule, fsModule, jsonModule, yamlModule, dataModule];

export { dataModule, execModule, fsModule, jsonModule, logModule, yamlModule };
