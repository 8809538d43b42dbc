export { pkgModule } from './pkg-module.js';
