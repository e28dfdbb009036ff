import type { Observer } from '@raft/core';

/**
 * One observer that forwards every event to each of `observers`, in order. A node has a single
 * `observer` slot; use this to feed the instrumentation and your own logging from the same node, or
 * to hand a transport the same sink as its node. Undefined entries are skipped.
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
  return (event) => {
    for (const observer of present) observer(event);
  };
}
