// Helpers for the observer tests: a TestCluster whose chosen members record every event they emit.
// Test support only: imported by the driver's tests, never by the package.

import type { NodeId } from '../engine/types.js';
import type { RaftEvent } from '../interfaces/observer.js';
import { TestCluster, type TestClusterOptions } from './node-harness.test-support.js';

/** Three members, `a`, `b` and `c`. */
export const OBSERVED_IDS = ['a', 'b', 'c'] as const;

/** A cluster whose listed members record every event they emit, in order. */
export function observedCluster(
  watched: readonly NodeId[],
  options: Omit<TestClusterOptions, 'observer'> = {},
): { cluster: TestCluster; events: Map<NodeId, RaftEvent[]> } {
  const events = new Map<NodeId, RaftEvent[]>(watched.map((id) => [id, []]));
  const cluster = new TestCluster(OBSERVED_IDS, {
    ...options,
    observer: (id) => {
      const list = events.get(id);
      return list === undefined ? undefined : (event) => list.push(event);
    },
  });
  return { cluster, events };
}

export function ofType<T extends RaftEvent['type']>(
  events: readonly RaftEvent[],
  type: T,
): Extract<RaftEvent, { type: T }>[] {
  return events.filter((event): event is Extract<RaftEvent, { type: T }> => event.type === type);
}
