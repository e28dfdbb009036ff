import type { CommittedEntry, NodeId } from '@raft/core';
import { chainHash } from './entry-hash.js';
import type { InvariantCheck, ReportViolation } from './observation.js';
import type { InvariantViolation } from './violation.js';

/**
 * State Machine Safety (Raft §5.4.3, Figure 3): if a server has applied a log entry at a given index,
 * no other server ever applies a different entry at that index. Checked two ways: from inspections
 * (the chain hash of the log up to each applied index must agree across nodes and restarts), and from
 * what the state machines were actually handed (`observeApplied`), which also catches a driver that
 * applies something other than its log says.
 */
export interface StateMachineSafetyCheck extends InvariantCheck {
  observeApplied(time: number, node: NodeId, entries: readonly CommittedEntry[]): void;
}

export function stateMachineSafetyCheck(
  report: ReportViolation,
  reportRaw: (violation: InvariantViolation, key: string) => void,
): StateMachineSafetyCheck {
  const appliedChain: number[] = [];
  const appliedEntry = new Map<number, { readonly hash: number; readonly node: NodeId }>();
  return {
    observe(observation) {
      const { previous, log, inspection } = observation;
      const applied = Math.min(inspection.status.appliedIndex, log.lastIndex);
      for (let index = Math.max((previous?.applied ?? 0) + 1, log.firstIndex); index <= applied; index++) {
        const hash = log.hashAt(index) as number;
        const known = appliedChain[index];
        if (known === undefined) {
          appliedChain[index] = hash;
        } else if (known !== hash) {
          report(
            'state-machine-safety',
            observation,
            `applied entry ${index} (term ${log.entry(index)?.term}) differs from one applied elsewhere`,
            `applied/${index}`,
          );
          break;
        }
      }
    },
    observeApplied(time, node, entries) {
      for (const entry of entries) {
        const hash = chainHash(0, { index: entry.index, term: entry.term, type: 'normal', data: entry.data });
        const known = appliedEntry.get(entry.index);
        if (known === undefined) {
          appliedEntry.set(entry.index, { hash, node });
        } else if (known.hash !== hash) {
          reportRaw(
            {
              invariant: 'state-machine-safety',
              time,
              node,
              detail: `state machine applied a different entry at ${entry.index} (term ${entry.term}) than ${known.node}`,
            },
            `sm/${entry.index}`,
          );
        }
      }
    },
  };
}
