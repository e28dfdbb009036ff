import { type AbortSignalLike, type Clock, InvalidOptionsError, systemClock } from '@raft/core';

/** Options of {@link createMembership}. Every one has a default. */
export interface MembershipOptions {
  /**
   * The clock the workflows wait on (catch-up polling and deadlines). Default `systemClock()`. Pass
   * the node's own clock when it has one (a virtual clock in tests), so waits and the node agree.
   */
  readonly clock?: Clock;
  /**
   * A learner counts as caught up once the leader's last index minus the learner's match index is at
   * most this many entries. Default 100.
   */
  readonly catchUpMaxLagEntries?: number;
  /** How long `promote` (and the workflows that promote) waits for a learner to catch up. Default 30,000 ms. */
  readonly catchUpTimeoutMs?: number;
  /** How often the leader's `status()` is read while waiting. Default 50 ms. */
  readonly pollIntervalMs?: number;
  /**
   * Deadline of each configuration change handed to the core (`changeMembership`'s `timeoutMs`).
   * Default: the node's own `requestTimeoutMs`.
   */
  readonly changeTimeoutMs?: number;
}

/** Per-call options of the {@link Membership} workflows; catch-up and change values override the defaults. */
export interface MembershipCallOptions {
  /** Abort the call: it rejects with `signal.reason` (a change already handed to the core may still complete). */
  readonly signal?: AbortSignalLike;
  readonly catchUpMaxLagEntries?: number;
  readonly catchUpTimeoutMs?: number;
  readonly changeTimeoutMs?: number;
}

/** {@link MembershipOptions} with defaults filled in. */
export interface ResolvedMembershipOptions {
  readonly clock: Clock;
  readonly catchUpMaxLagEntries: number;
  readonly catchUpTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly changeTimeoutMs: number | undefined;
}

export const DEFAULT_CATCH_UP_MAX_LAG_ENTRIES = 100;
export const DEFAULT_CATCH_UP_TIMEOUT_MS = 30_000;
export const DEFAULT_POLL_INTERVAL_MS = 50;

/**
 * Fills in defaults and checks values.
 *
 * @throws InvalidOptionsError (`RAFT_INVALID_OPTIONS`) for a negative or non-integer lag, or a
 * non-positive time.
 */
export function resolveMembershipOptions(
  options: MembershipOptions | MembershipCallOptions = {},
  defaults?: ResolvedMembershipOptions,
): ResolvedMembershipOptions {
  const resolved: ResolvedMembershipOptions = {
    clock: ('clock' in options ? options.clock : undefined) ?? defaults?.clock ?? systemClock(),
    catchUpMaxLagEntries:
      options.catchUpMaxLagEntries ?? defaults?.catchUpMaxLagEntries ?? DEFAULT_CATCH_UP_MAX_LAG_ENTRIES,
    catchUpTimeoutMs: options.catchUpTimeoutMs ?? defaults?.catchUpTimeoutMs ?? DEFAULT_CATCH_UP_TIMEOUT_MS,
    pollIntervalMs:
      ('pollIntervalMs' in options ? options.pollIntervalMs : undefined) ??
      defaults?.pollIntervalMs ??
      DEFAULT_POLL_INTERVAL_MS,
    changeTimeoutMs: options.changeTimeoutMs ?? defaults?.changeTimeoutMs,
  };
  if (!(Number.isSafeInteger(resolved.catchUpMaxLagEntries) && resolved.catchUpMaxLagEntries >= 0)) {
    throw new InvalidOptionsError(
      `catchUpMaxLagEntries must be an integer >= 0, got ${resolved.catchUpMaxLagEntries}`,
    );
  }
  const times: [string, number | undefined][] = [
    ['catchUpTimeoutMs', resolved.catchUpTimeoutMs],
    ['pollIntervalMs', resolved.pollIntervalMs],
    ['changeTimeoutMs', resolved.changeTimeoutMs],
  ];
  for (const [name, value] of times) {
    if (value !== undefined && !(value > 0)) {
      throw new InvalidOptionsError(`${name} must be a positive number of milliseconds, got ${value}`);
    }
  }
  return resolved;
}
