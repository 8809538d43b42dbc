export { tokenMatches } from './auth.js';
export {
  type StandaloneDashboard,
  type StandaloneDashboardOptions,
  startStandaloneDashboard,
} from './dashboard/standalone-dashboard.js';
export type { Fleet } from './fleet.js';
export { isLoopback, type MasterOptions, resolveMasterOptions } from './master-options.js';
export { type RunningMaster, startMaster } from './master-server.js';
export type { ScheduleAddFlags, ScheduleRules } from './schedule-service.js';
