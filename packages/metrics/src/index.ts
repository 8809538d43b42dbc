export { Counter, Gauge, Histogram, Registry } from 'prom-client';
export {
  answerHealth,
  HEALTH_PATHS,
  type HealthServer,
  type HealthServerOptions,
  type Readiness,
  startHealthServer,
} from './health-server.js';
export { type HttpListener, type HttpListenerOptions, listenHttp } from './http-listener.js';
export { checkLabelName, checkMetricName, customMetricName } from './metric-names.js';
export { processRegistry } from './process-registry.js';
