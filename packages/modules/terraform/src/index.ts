export { terraformModule } from './terraform-module.js';
