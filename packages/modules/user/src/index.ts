// What other modules read of accounts (infra_test's user and group checks).
export { type GroupFacts, readGroup, readUser, type UserFacts } from './facts.js';
export { userModule } from './user-module.js';
