import type { Observer } from '@raft/core';

/**
 * One observer that forwards every event to each of `observers`, in order. A node has a single
 * `observer` slot; use this to feed the instrumentation and your own logging from the same node, or
 * to hand a transport the same sink as its node. Undefined entries are skipped. The combination asks
 * for `proposal-started` events (`Observer.wantsProposalStarted`) when any of its parts does (each
 * part is asked), and always when one of them is a plain function: mark yours
 * `wantsProposalStarted: () => false` if it ignores that event, so the instrumentation's saving is kept.
 *
 * @example
 * ```ts
 * const observer = combineObservers(instrumentation.observer, (event) => {
 *   if (event.type === 'role-changed') log.info(event);
 * });
 * ```
 */
export function combineObservers(...observers: readonly (Observer | undefined)[]): Observer {
  const present = observers.filter((observer): observer is Observer => observer !== undefined);
  if (present.length === 1) return present[0]!;
  const combined: Observer = (event) => {
    for (const observer of present) observer(event);
  };
  // A plain function takes every event; otherwise `proposal-started` is built while any of them wants it.
  if (present.some((observer) => observer.wantsProposalStarted === undefined)) return combined;
  return Object.assign(combined, {
    // Every part is asked, not just until one says yes: a part may note its answer for the event.
    wantsProposalStarted: (proposalId: number, startedAt: number) => {
      let wanted = false;
      for (const observer of present)
        if (observer.wantsProposalStarted!(proposalId, startedAt)) wanted = true;
      return wanted;
    },
  });
}
