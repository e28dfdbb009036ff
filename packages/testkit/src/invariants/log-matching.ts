import type { InvariantCheck, ReportViolation } from './observation.js';

/**
 * Log Matching (Raft §5.3, Figure 3): if two logs contain an entry with the same index and term, the
 * logs are identical in all entries up through that index. Every (index, term) seen anywhere is mapped
 * to the chain hash of the log up to it; a different chain hash for the same pair breaks the property.
 */
export function logMatchingCheck(report: ReportViolation): InvariantCheck {
  const chainAt = new Map<string, { readonly hash: number; readonly node: string }>();
  return {
    observe(observation) {
      const { log, change } = observation;
      for (let index = Math.max(change.changedFrom, log.firstIndex); index <= log.lastIndex; index++) {
        const entry = log.entry(index);
        const hash = log.hashAt(index);
        if (entry === undefined || hash === undefined) continue;
        const key = `${index}/${entry.term}`;
        const known = chainAt.get(key);
        if (known === undefined) {
          chainAt.set(key, { hash, node: observation.node });
        } else if (known.hash !== hash) {
          report(
            'log-matching',
            observation,
            `entry ${index} of term ${entry.term} matches ${known.node}'s but the logs differ at or before it`,
            key,
          );
        }
      }
    },
  };
}
