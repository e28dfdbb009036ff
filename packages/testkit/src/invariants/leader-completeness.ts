import type { CommittedEntries } from './committed-entries.js';
import type { InvariantCheck, ReportViolation } from './observation.js';

/**
 * Leader Completeness (Raft §5.4, Figure 3): if an entry is committed in a term, it is present in the
 * logs of the leaders of all higher terms. Checked when a node becomes leader and while it leads, as:
 * the leader's chain hash at the committed frontier of lower terms equals the committed one.
 */
export function leaderCompletenessCheck(
  report: ReportViolation,
  committed: CommittedEntries,
): InvariantCheck {
  return {
    observe(observation) {
      const { inspection, log } = observation;
      const { status } = inspection;
      if (status.role !== 'leader') return;
      const frontier = committed.frontierBelow(status.term);
      if (frontier === 0 || frontier < log.firstIndex) return;
      const expected = committed.hashAt(frontier);
      const actual = log.hashAt(frontier);
      if (expected === undefined || actual === expected) return;
      const detail =
        actual === undefined
          ? `leader of term ${status.term} lacks committed entry ${frontier} (its log ends at ${log.lastIndex})`
          : `leader of term ${status.term} holds a different entry at or before committed index ${frontier}`;
      report('leader-completeness', observation, detail, String(status.term));
    },
  };
}
