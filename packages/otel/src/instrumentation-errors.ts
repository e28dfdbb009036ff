/** An option of `raftInstrumentation` that cannot work. Code `RAFT_OTEL_INVALID_OPTIONS`. */
export class InvalidInstrumentationOptionsError extends Error {
  readonly code = 'RAFT_OTEL_INVALID_OPTIONS';
  override readonly name = 'InvalidInstrumentationOptionsError';
}
