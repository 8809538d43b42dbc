export { gitModule } from './git-module.js';
