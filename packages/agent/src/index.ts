export { type AgentStartInput, agentOptionsFrom, listenFlagsNotice } from './agent-config.js';
export { type AgentOptions, agentNameSchema, parseLabels, resolveAgentOptions } from './agent-options.js';
export { runAgentProcess } from './agent-process.js';
export { type BackoffOptions, backoffDelay, ReconnectSchedule } from './backoff.js';
export { SlothAgent } from './sloth-agent.js';
