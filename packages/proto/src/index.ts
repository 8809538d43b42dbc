export { counterRate } from './counter-rate.js';
export * from './gen/sloth/v1/agent_pb.js';
export * from './gen/sloth/v1/control_pb.js';
export * from './gen/sloth/v1/dashboard_pb.js';
export * from './gen/sloth/v1/error_pb.js';
