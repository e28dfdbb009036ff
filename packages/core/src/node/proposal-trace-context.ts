import { TRACE_CONTEXT_BYTES } from '../engine/messages.js';

/** Answers the trace context of a proposal, by the id its `proposal-started` event carried. */
export type TraceContextSource = (proposalId: number) => Uint8Array | undefined;

/**
 * The context to propose with, from the node's `traceContext` capability. Tracing is best effort: an
 * answer that throws or is not {@link TRACE_CONTEXT_BYTES} bytes leaves the proposal untraced instead
 * of failing it (the proposal is the caller's work, the trace only a view of it).
 */
export function proposalTraceContext(source: TraceContextSource, proposalId: number): Uint8Array | undefined {
  let context: Uint8Array | undefined;
  try {
    context = source(proposalId);
  } catch {
    return undefined;
  }
  return context instanceof Uint8Array && context.length === TRACE_CONTEXT_BYTES ? context : undefined;
}
