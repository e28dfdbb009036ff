import type { NodeId } from '@raft/core';

/**
 * The safety properties the simulator checks (Raft Figure 3), the end-of-run client checks, and two
 * run-level failures.
 */
export type InvariantName =
  | 'election-safety'
  | 'leader-append-only'
  | 'log-matching'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'acknowledged-write-lost'
  | 'linearizability'
  /** A node stopped itself on an internal error (engine, storage or state machine threw). */
  | 'node-failure'
  /** With every fault healed and every node up, the cluster did not converge in time. */
  | 'liveness';

/** One broken property, with where and when it was seen. */
export interface InvariantViolation {
  readonly invariant: InvariantName;
  /** Virtual milliseconds. */
  readonly time: number;
  /** The node on which it was detected, or '' for cluster-wide checks. */
  readonly node: NodeId;
  readonly detail: string;
}

/** A single line for reports: `election-safety @1234.5 n2: ...`. */
export function formatViolation(violation: InvariantViolation): string {
  const where = violation.node === '' ? '' : ` ${violation.node}`;
  return `${violation.invariant} @${violation.time.toFixed(3)}${where}: ${violation.detail}`;
}
