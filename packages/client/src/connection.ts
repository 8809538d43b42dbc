// @sloth/client/connection: where a master is and how to prove who we are, without the RPC stack (Connect and the
// generated protobuf code): commands that only may reach a master import this, and the rest when they do.

export { DEFAULT_MASTER_PORT, looksLikeAddress, masterBaseUrl } from './master-address.js';
export { readPem, resolveToken, type TokenSources } from './token-source.js';
