export { fsModule } from './fs-module.js';
export type { FileInfo } from './stat.js';
