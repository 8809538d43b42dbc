export { userModule } from './user-module.js';
