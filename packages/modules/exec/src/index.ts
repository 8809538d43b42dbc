export { execModule } from './exec-module.js';
export { displayCommand, type ExecResult, SKIPPED_IN_CHECK_MODE, toExecResult } from './result.js';
