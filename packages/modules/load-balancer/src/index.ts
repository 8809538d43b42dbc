export { loadBalancerModule } from './load-balancer-module.js';
