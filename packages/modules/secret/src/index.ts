export { secretModule } from './secret-module.js';
