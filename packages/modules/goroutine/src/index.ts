export { goroutineModule } from './goroutine-module.js';
