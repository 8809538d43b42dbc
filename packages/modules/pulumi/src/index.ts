export { pulumiModule } from './pulumi-module.js';
