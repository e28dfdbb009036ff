/**
 * An answer other than success: the service sends it as `{"error": code, "message": ..., ...details}`
 * with `status` and `headers`. Codes are stable and documented; clients match on them.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
