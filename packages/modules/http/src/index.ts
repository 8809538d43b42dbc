export { httpModule, netModule } from './http-module.js';
