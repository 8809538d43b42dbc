export {
  type ConnectOptions,
  connectionKey,
  connectOptions,
  describeTarget,
  HOST_KEY_CHECKS,
  type HostKeyCheck,
  parseSshUrl,
} from './connect-options.js';
export { ConnectionPool } from './connection-pool.js';
export { Inventory, type InventoryHost, loadInventory, pathFrom } from './inventory.js';
export { fingerprint, KnownHosts } from './known-hosts.js';
export type { RemoteExecOptions, RemoteResult, SshConnection } from './ssh-connection.js';
export { SshFleet, type SshFleetOptions } from './ssh-fleet.js';
export { type SshHostOptions, sshHost } from './ssh-host.js';
