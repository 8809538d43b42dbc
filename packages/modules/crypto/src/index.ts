export { cryptoModule } from './crypto-module.js';
