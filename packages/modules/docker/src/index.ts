export { dockerModule } from './docker-module.js';
