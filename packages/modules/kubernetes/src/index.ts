export { kubernetesModule } from './kubernetes-module.js';
