export { unitNameSchema } from './names.js';
// What other modules read of systemd (infra_test's service checks).
export { ensureSystemd } from './systemctl.js';
export { systemdModule } from './systemd-module.js';
export { readUnit, type UnitFacts } from './unit-facts.js';
