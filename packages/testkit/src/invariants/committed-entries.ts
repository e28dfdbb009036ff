import type { InvariantCheck, ReportViolation } from './observation.js';

/**
 * Every committed entry seen on any node, as the chain hash of the log up to it, plus for each term the
 * highest index some node knew committed while in that term (what Leader Completeness checks leaders
 * against). Also checks that committed entries never disagree between nodes and are never removed from
 * a node's log: either would let two nodes apply different entries at one index (State Machine Safety).
 */
export interface CommittedEntries extends InvariantCheck {
  /** Chain hash of the committed log up to `index`, if some node reported it committed. */
  hashAt(index: number): number | undefined;
  /**
   * The highest index known committed by a node whose term was below `term`. Raft §5.4: every leader
   * of `term` must hold that entry (and so, by Log Matching, the whole prefix).
   */
  frontierBelow(term: number): number;
}

export function committedEntries(report: ReportViolation): CommittedEntries {
  const committedHash: number[] = [];
  const frontierByTerm = new Map<number, number>();
  return {
    observe(observation) {
      const { previous, change, log, inspection } = observation;
      const previousCommit = previous?.commit ?? 0;
      if (change.changedFrom <= previousCommit) {
        report(
          'state-machine-safety',
          observation,
          `committed entry ${change.changedFrom} was replaced or removed (commit index was ${previousCommit})`,
          `removed/${change.changedFrom}`,
        );
      }
      const commit = Math.min(inspection.status.commitIndex, log.lastIndex);
      if (commit <= previousCommit) return;
      for (let index = Math.max(previousCommit + 1, log.firstIndex); index <= commit; index++) {
        const hash = log.hashAt(index) as number;
        const known = committedHash[index];
        if (known === undefined) {
          committedHash[index] = hash;
        } else if (known !== hash) {
          report(
            'state-machine-safety',
            observation,
            `committed entry ${index} (term ${log.entry(index)?.term}) differs from the one committed elsewhere`,
            `commit/${index}`,
          );
          break;
        }
      }
      const term = inspection.status.term;
      if ((frontierByTerm.get(term) ?? 0) < commit) frontierByTerm.set(term, commit);
    },
    hashAt: (index) => committedHash[index],
    frontierBelow(term) {
      let frontier = 0;
      for (const [seenTerm, index] of frontierByTerm)
        if (seenTerm < term && index > frontier) frontier = index;
      return frontier;
    },
  };
}
