export { logModule } from './log-module.js';
export { renderFields, renderMessage } from './render.js';
