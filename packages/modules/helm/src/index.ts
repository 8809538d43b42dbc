export { helmModule } from './helm-module.js';
