/** Stable codes of the errors raised by the history recorder and the checker's input validation. */
export type HistoryErrorCode =
  /** The history breaks a structural rule (duplicate id, output without completion, mismatched kinds...). */
  | 'TESTKIT_HISTORY_INVALID'
  /** The recorder was given an id it never issued. */
  | 'TESTKIT_HISTORY_UNKNOWN_ID'
  /** The recorder was told the outcome of an operation twice. */
  | 'TESTKIT_HISTORY_ALREADY_RESOLVED';

/** A malformed history or a misuse of {@link HistoryRecorder}. Assert on `code`, never on the message. */
export class HistoryError extends Error {
  override readonly name = 'HistoryError';
  constructor(
    readonly code: HistoryErrorCode,
    message: string,
  ) {
    super(message);
  }
}
