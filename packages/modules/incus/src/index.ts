export { incusModule } from './incus-module.js';
