export { chainHash, EMPTY_CHAIN_HASH } from './entry-hash.js';
export type { InvariantChecker, InvariantCheckerOptions } from './invariant-checker.js';
export { createInvariantChecker } from './invariant-checker.js';
export type { InvariantName, InvariantViolation } from './violation.js';
export { formatViolation } from './violation.js';
