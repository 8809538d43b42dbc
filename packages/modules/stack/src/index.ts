export { stackModule } from './stack-module.js';
