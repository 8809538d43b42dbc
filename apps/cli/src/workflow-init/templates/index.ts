import type { ProjectTemplate } from '../project-template.js';
import { basic } from './basic.js';
import { configureServer } from './configure-server.js';
import { distributed } from './distributed.js';
import { gitops } from './gitops.js';
import { goroutines } from './goroutines.js';
import { hooks } from './hooks.js';
import { pipeline } from './pipeline.js';

/** Every `workflow init` template, in the order `--list` shows them. */
export const TEMPLATES: readonly ProjectTemplate[] = [basic, pipeline, configureServer, gitops, distributed, goroutines, hooks];
