export { eventModule } from './event-module.js';
