export { saltModule } from './salt-module.js';
