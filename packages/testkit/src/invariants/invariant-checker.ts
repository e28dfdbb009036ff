import type { CommittedEntry, NodeId, RaftInspection } from '@raft/core';
import { committedEntries } from './committed-entries.js';
import { electionSafetyCheck } from './election-safety.js';
import { leaderAppendOnlyCheck } from './leader-append-only.js';
import { leaderCompletenessCheck } from './leader-completeness.js';
import { logMatchingCheck } from './log-matching.js';
import type { InvariantCheck, NodeSummary, Observation, ReportViolation } from './observation.js';
import { ObservedLog } from './observed-log.js';
import { stateMachineSafetyCheck } from './state-machine-safety.js';
import type { InvariantName, InvariantViolation } from './violation.js';

/**
 * Checks Raft's safety properties (Figure 3) incrementally over a stream of node inspections. Feed it
 * every node whose state may have changed, after every simulation step; it keeps its own copy of each
 * node's log so each observation costs only what changed.
 */
export interface InvariantChecker {
  /** Look at one node. Observations of the same node must come in time order. */
  observe(time: number, node: NodeId, inspection: RaftInspection): void;
  /** Entries a node's state machine was handed (index, term, data), for State Machine Safety. */
  observeApplied(time: number, node: NodeId, entries: readonly CommittedEntry[]): void;
  /** The node crashed or restarted: its next inspection starts a new instance (volatile state gone). */
  resetNode(node: NodeId): void;
  /** Records a violation found elsewhere (end-of-run checks). */
  add(violation: InvariantViolation): void;
  /** Violations so far, in the order found (repeats of one finding are reported once). */
  violations(): readonly InvariantViolation[];
}

export interface InvariantCheckerOptions {
  /** Keep at most this many violations per invariant (the first ones matter). Default 20. */
  readonly maxPerInvariant?: number;
}

interface NodeState {
  readonly log: ObservedLog;
  previous: NodeSummary | undefined;
}

/** Creates an {@link InvariantChecker} with no history. */
export function createInvariantChecker(options: InvariantCheckerOptions = {}): InvariantChecker {
  const maxPerInvariant = options.maxPerInvariant ?? 20;
  const found: InvariantViolation[] = [];
  const seenKeys = new Set<string>();
  const perInvariant = new Map<InvariantName, number>();
  const nodes = new Map<NodeId, NodeState>();

  const add = (violation: InvariantViolation, key: string): void => {
    const fullKey = `${violation.invariant}|${violation.node}|${key}`;
    if (seenKeys.has(fullKey)) return;
    seenKeys.add(fullKey);
    const count = perInvariant.get(violation.invariant) ?? 0;
    if (count >= maxPerInvariant) return;
    perInvariant.set(violation.invariant, count + 1);
    found.push(violation);
  };
  const report: ReportViolation = (invariant, observation, detail, key) =>
    add({ invariant, time: observation.time, node: observation.node, detail }, key);

  const committed = committedEntries(report);
  const stateMachineSafety = stateMachineSafetyCheck(report, add);
  // Order matters: `committed` records this observation's commits before leaders are checked.
  const checks: InvariantCheck[] = [
    electionSafetyCheck(report),
    leaderAppendOnlyCheck(report),
    logMatchingCheck(report),
    committed,
    leaderCompletenessCheck(report, committed),
    stateMachineSafety,
  ];

  return {
    observe(time, node, inspection) {
      let state = nodes.get(node);
      if (state === undefined) {
        state = { log: new ObservedLog(), previous: undefined };
        nodes.set(node, state);
      }
      const baseHash = committed.hashAt(inspection.firstIndex - 1);
      const change = state.log.update(inspection.firstIndex, inspection.entries, baseHash);
      const observation: Observation = {
        time,
        node,
        inspection,
        log: state.log,
        change,
        previous: state.previous,
      };
      for (const check of checks) check.observe(observation);
      const { status } = inspection;
      state.previous = {
        role: status.role,
        term: status.term,
        commit: Math.min(status.commitIndex, state.log.lastIndex),
        applied: Math.min(status.appliedIndex, state.log.lastIndex),
        lastIndex: state.log.lastIndex,
      };
    },
    observeApplied: (time, node, entries) => stateMachineSafety.observeApplied(time, node, entries),
    resetNode(node) {
      nodes.delete(node);
    },
    add: (violation) => add(violation, `${violation.time}/${violation.detail}`),
    violations: () => found,
  };
}
