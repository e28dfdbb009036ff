import type { NodeId, RaftInspection, Role } from '@raft/core';
import type { LogChange, ObservedLog } from './observed-log.js';
import type { InvariantName } from './violation.js';

/** What a node looked like at its previous observation (same instance). */
export interface NodeSummary {
  readonly role: Role;
  readonly term: number;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
}

/** One look at one node, with what changed since the previous look at the same instance. */
export interface Observation {
  readonly time: number;
  readonly node: NodeId;
  readonly inspection: RaftInspection;
  /** The node's log as the checker tracks it, already updated with this inspection. */
  readonly log: ObservedLog;
  readonly change: LogChange;
  /** Undefined on the first observation of a node instance. */
  readonly previous: NodeSummary | undefined;
}

/** How a check reports a broken property. `key` deduplicates repeats of the same finding. */
export type ReportViolation = (
  invariant: InvariantName,
  observation: Observation,
  detail: string,
  key: string,
) => void;

/** One invariant, checked incrementally on every observation. */
export interface InvariantCheck {
  observe(observation: Observation): void;
}
