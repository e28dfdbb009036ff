import type { InvariantCheck, ReportViolation } from './observation.js';

/**
 * Leader Append-Only (Raft §5.3, Figure 3): a leader never overwrites or deletes entries in its log; it
 * only appends. Checked between consecutive observations of the same instance leading the same term.
 */
export function leaderAppendOnlyCheck(report: ReportViolation): InvariantCheck {
  return {
    observe(observation) {
      const { previous, change, inspection } = observation;
      const { status } = inspection;
      if (previous === undefined || previous.role !== 'leader' || status.role !== 'leader') return;
      if (previous.term !== status.term) return;
      if (change.changedFrom <= previous.lastIndex) {
        report(
          'leader-append-only',
          observation,
          `leader of term ${status.term} changed its log from index ${change.changedFrom} ` +
            `(last index was ${previous.lastIndex}, now ${observation.log.lastIndex})`,
          String(status.term),
        );
      }
    },
  };
}
