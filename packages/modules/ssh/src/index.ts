export { sshModule } from './ssh-module.js';
