export { fileModule, fileOpsModule } from './file-ops-module.js';
