export { stateModule } from './state-module.js';
