import type { NodeId } from '@raft/core';
import type { InvariantCheck, ReportViolation } from './observation.js';

/** Election Safety (Raft §5.2, Figure 3): at most one leader can be elected in a given term. */
export function electionSafetyCheck(report: ReportViolation): InvariantCheck {
  const leaderOfTerm = new Map<number, NodeId>();
  return {
    observe(observation) {
      const { status } = observation.inspection;
      if (status.role !== 'leader') return;
      const known = leaderOfTerm.get(status.term);
      if (known === undefined) {
        leaderOfTerm.set(status.term, observation.node);
      } else if (known !== observation.node) {
        report(
          'election-safety',
          observation,
          `${observation.node} and ${known} are both leaders of term ${status.term}`,
          String(status.term),
        );
      }
    },
  };
}
