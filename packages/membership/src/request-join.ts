import {
  type AbortSignalLike,
  type Clock,
  type ClusterConfig,
  InvalidOptionsError,
  type NodeId,
  systemClock,
} from '@raft/core';
import { abortReason, clockDelay, throwIfAborted } from './clock-wait.js';
import { JoinRefusedError, JoinTimeoutError } from './errors.js';
import { type JoinRequest, type JoinResponse, parseJoinResponse } from './join-protocol.js';
import { validateAddress, validateMemberId } from './member-validation.js';

/** Options of {@link requestJoin}. */
export interface RequestJoinOptions {
  /** This node's id. */
  readonly id: NodeId;
  /** Where this node's Raft transport listens; replicated to every member. */
  readonly address: string;
  /** Join endpoints of some current members (any of them; followers redirect to the leader). */
  readonly contacts: readonly string[];
  /**
   * Carries one request to `contact` and resolves with its answer (an untrusted value: it is
   * validated). Reject or let `signal` abort it when the contact cannot be reached. `signal` aborts
   * when the overall deadline passes.
   */
  readonly send: (contact: string, request: JoinRequest, signal: AbortSignalLike) => Promise<unknown>;
  /** Give up this many milliseconds after the call. Leave room for the catch-up (a snapshot transfer). */
  readonly deadlineMs: number;
  /** Clock for backoff and the deadline. Default `systemClock()`. */
  readonly clock?: Clock;
  /** Abort the whole join; it rejects with the signal's reason. */
  readonly signal?: AbortSignalLike;
  /** First pause between attempts; doubles up to {@link maxBackoffMs}. Default 100 ms. */
  readonly initialBackoffMs?: number;
  /** Longest pause between attempts. Default 2,000 ms. */
  readonly maxBackoffMs?: number;
  /** Randomness in [0, 1) for backoff jitter (so joiners do not retry in lockstep). Default Math.random. */
  readonly random?: () => number;
}

/** What one attempt produced. */
type AttemptOutcome =
  | { readonly kind: 'answer'; readonly response: JoinResponse }
  | { readonly kind: 'unreachable'; readonly failure: string };

/**
 * The joining side of the join protocol: asks the cluster to admit this node as a voter and resolves
 * with the configuration once it is one.
 *
 * Before calling it, the node must be RUNNING: created with EMPTY storage and no `initialMembers` (so it
 * starts as a non-member that waits to be contacted) and reachable at `address`. The leader adds it as
 * a learner, it receives the log or a snapshot, and once it is within the catch-up lag it is promoted;
 * only then does the answer come. A node restarted on storage from an earlier membership cannot join
 * this way: wipe its storage first.
 *
 * It tries `contacts` in turn; a `not-leader` answer with a contact is followed at once (to the
 * leader); a retryable failure, an unreachable contact or a `not-leader` answer without a contact is
 * retried after a backoff (exponential with jitter), moving to the next contact unless the last one
 * was the leader, until `deadlineMs` has passed.
 *
 * @throws InvalidMemberIdError, InvalidAddressError, InvalidOptionsError for bad options;
 * JoinRefusedError (`RAFT_MEMBERSHIP_JOIN_REFUSED`, with the cluster's `reason` code) when the cluster
 * refuses for good; JoinTimeoutError (`RAFT_MEMBERSHIP_JOIN_TIMEOUT`) at the deadline; the signal's
 * reason when it aborts.
 */
export async function requestJoin(options: RequestJoinOptions): Promise<ClusterConfig> {
  const request: JoinRequest = {
    id: validateMemberId(options.id),
    address: validateAddress(options.address),
  };
  const { contacts, send, signal } = options;
  if (contacts.length === 0) throw new InvalidOptionsError('requestJoin needs at least one contact');
  if (!(options.deadlineMs > 0)) throw new InvalidOptionsError('deadlineMs must be a positive number');
  const clock = options.clock ?? systemClock();
  const random = options.random ?? Math.random;
  const initialBackoffMs = options.initialBackoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 2_000;
  if (!(initialBackoffMs > 0 && maxBackoffMs >= initialBackoffMs)) {
    throw new InvalidOptionsError('backoff must satisfy 0 < initialBackoffMs <= maxBackoffMs');
  }
  const deadline = clock.now() + options.deadlineMs;
  // Following redirects costs no backoff, but a cluster whose nodes disagree about the leader could
  // bounce us around forever: after this many redirects in a row we pause like after a failure.
  const maxRedirects = contacts.length + 2;

  let listIndex = 0;
  let contact = contacts[0]!;
  let attempts = 0;
  let backoffMs = initialBackoffMs;
  let redirects = 0;
  let lastFailure: string | undefined;
  for (;;) {
    throwIfAborted(signal);
    if (clock.now() >= deadline) throw new JoinTimeoutError(attempts, lastFailure);
    attempts++;
    const outcome = await attempt(send, contact, request, clock, deadline, signal);
    let stay = false;
    if (outcome.kind === 'unreachable') {
      lastFailure = `${contact}: ${outcome.failure}`;
    } else {
      const response = outcome.response;
      switch (response.status) {
        case 'joined':
          return response.config;
        case 'not-leader':
          if (response.contact !== undefined && response.contact !== contact && redirects < maxRedirects) {
            redirects++;
            contact = response.contact;
            continue;
          }
          lastFailure = `${contact}: not the leader (leader ${response.leader === '' ? 'unknown' : response.leader})`;
          break;
        case 'failed':
          if (!response.retryable) throw new JoinRefusedError(response.code, response.message);
          lastFailure = `${contact}: ${response.code}`;
          // The leader answered: ask it again, unless it is going away.
          stay = response.code !== 'RAFT_STOPPED';
          break;
        default: {
          const unreachable: never = response;
          throw new Error(`unexpected answer ${String(unreachable)}`);
        }
      }
    }
    redirects = 0;
    if (!stay) {
      listIndex = (listIndex + 1) % contacts.length;
      contact = contacts[listIndex]!;
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) throw new JoinTimeoutError(attempts, lastFailure);
    // Full jitter over the upper half: never less than half the backoff, so retries do spread out.
    const pause = Math.min(remaining, backoffMs * (0.5 + random() / 2));
    backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
    await clockDelay(clock, pause, signal);
  }
}

/** One request to `contact`, bounded by the deadline and the caller's signal. */
async function attempt(
  send: RequestJoinOptions['send'],
  contact: string,
  request: JoinRequest,
  clock: Clock,
  deadline: number,
  signal: AbortSignalLike | undefined,
): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(abortReason(signal!));
  signal?.addEventListener('abort', onAbort);
  const timer = clock.setTimeout(
    () => controller.abort(new Error('the join deadline passed')),
    Math.max(0, deadline - clock.now()),
  );
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason));
  });
  try {
    const answer = await Promise.race([send(contact, request, controller.signal), aborted]);
    const response = parseJoinResponse(answer);
    return response === undefined
      ? { kind: 'unreachable', failure: 'malformed answer' }
      : { kind: 'answer', response };
  } catch (error) {
    throwIfAborted(signal);
    return { kind: 'unreachable', failure: error instanceof Error ? error.message : String(error) };
  } finally {
    timer.cancel();
    signal?.removeEventListener('abort', onAbort);
    // Nobody waits on `aborted` any more; keep its eventual rejection from surfacing as unhandled.
    aborted.catch(() => undefined);
  }
}
