export { pkgModule } from './pkg-module.js';
// What other modules read of packages (infra_test's package check).
export { versionOf as installedVersionOf } from './queries.js';
