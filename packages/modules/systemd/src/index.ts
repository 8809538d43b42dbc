export { systemdModule } from './systemd-module.js';
