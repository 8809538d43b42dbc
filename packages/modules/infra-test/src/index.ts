export { infraTestModule } from './infra-test-module.js';
