export { Counter, Gauge, Histogram, Registry } from 'prom-client';
export { type HealthServer, type HealthServerOptions, type Readiness, startHealthServer } from './health-server.js';
export { checkLabelName, checkMetricName, customMetricName } from './metric-names.js';
export { processRegistry } from './process-registry.js';
