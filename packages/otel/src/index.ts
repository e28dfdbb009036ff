/**
 * @raft/otel: OpenTelemetry metrics and traces for `@raft/core` nodes, written against
 * `@opentelemetry/api` only (a peer dependency): bring your own SDK and exporter.
 *
 * @example
 * ```ts
 * import { createRaftNode } from '@raft/core';
 * import { raftInstrumentation } from '@raft/otel';
 *
 * const instrumentation = raftInstrumentation({ nodeId: 'a' }); // global providers
 * const node = createRaftNode({ id: 'a', storage, transport, stateMachine, observer: instrumentation.observer });
 * ```
 */
export { combineObservers } from './combine-observers.js';
export { InvalidInstrumentationOptionsError } from './instrumentation-errors.js';
export type { RaftInstrumentation, RaftInstrumentationOptions } from './raft-instrumentation.js';
export {
  DEFAULT_PROPOSAL_DURATION_MAX_PER_SECOND,
  DEFAULT_PROPOSAL_DURATION_SAMPLE_RATIO,
  DEFAULT_SAMPLE_RATIO,
  INSTRUMENTATION_SCOPE,
  raftInstrumentation,
} from './raft-instrumentation.js';
export { RAFT_ATTRIBUTES, RAFT_METRIC_NAMES, RAFT_SPAN_NAMES } from './raft-semantic-conventions.js';
