export { execModule } from './exec-module.js';
export { displayCommand, type ExecResult, toExecResult } from './result.js';
