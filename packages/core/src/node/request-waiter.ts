import { TimeoutError } from '../errors.js';
import type { Clock, Timer } from '../interfaces/clock.js';

/**
 * The part of the web platform's `AbortSignal` the driver uses. Declared structurally so the package
 * builds without DOM or Node typings; a real `AbortSignal` (browser or Node) satisfies it.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Per-call options of `propose`, `read` and `transferLeadership`. */
export interface RequestOptions {
  /** Give up after this many milliseconds (of the node's clock). Default: the node's `requestTimeoutMs`. */
  readonly timeoutMs?: number;
  /** Give up when this signal aborts; the promise rejects with `signal.reason`, as `fetch` does. */
  readonly signal?: AbortSignalLike;
}

/** Options of `RaftNode.propose`. */
export interface ProposeOptions extends RequestOptions {
  /**
   * Hand `data` over to the node instead of letting it take a copy: the caller promises never to
   * change those bytes again (they become the log entry, held until compaction). Saves an allocation
   * and a copy per proposal for a caller that encodes each command into a fresh buffer. Default false.
   */
  readonly transfer?: boolean;
}

/** Options of a read barrier (`RaftNode.read`). */
export interface ReadOptions extends RequestOptions {
  /**
   * Serve this read from the leader's lease when it holds (thesis §6.4.1): no heartbeat round, so a
   * read on the leader answers at once. Sound only while clocks drift less than the margin between the
   * lease and the election timeout, and only with CheckQuorum on (otherwise the read takes the usual
   * round). On a follower the read is forwarded as an ordinary ReadIndex. Default false, unless the
   * node was created with `raft.leaseRead`, which makes every read a lease read.
   */
  readonly lease?: boolean;
}

/** The reason an aborted signal carries, or a generic error for signals that carry none. */
export function abortReason(signal: AbortSignalLike): unknown {
  return signal.reason ?? new Error('the request was aborted');
}

/** Why a {@link RequestWaiter} gave up before its owner settled it. */
export type GiveUpReason = 'timeout' | 'aborted';

/**
 * One caller's pending promise with its deadline (on the injected clock, so virtual time drives it)
 * and its abort signal. Settles at most once; settling cancels the timer and detaches the listener.
 * `onGiveUp` runs before the promise rejects on timeout or abort, so the owner can forget the request.
 */
export class RequestWaiter<T> {
  readonly promise: Promise<T>;
  /** `clock.now()` when the request began; only read when an observer wants durations. */
  readonly startedAt: number;
  private resolvePromise!: (value: T) => void;
  private rejectPromise!: (error: unknown) => void;
  private settled = false;
  private readonly timer: Timer | undefined;
  private readonly signal: AbortSignalLike | undefined;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    clock: Clock,
    timeoutMs: number,
    options: RequestOptions | undefined,
    private readonly onGiveUp: (waiter: RequestWaiter<T>, why: GiveUpReason) => void,
    /** When the request was made, if the caller already read the clock for it. */
    startedAt: number = clock.now(),
  ) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
    this.startedAt = startedAt;
    if (Number.isFinite(timeoutMs)) {
      this.timer = clock.setTimeout(
        () => this.giveUp('timeout', new TimeoutError(`no outcome within ${timeoutMs} ms`)),
        timeoutMs,
      );
    }
    const signal = options?.signal;
    if (signal !== undefined) {
      this.signal = signal;
      this.onAbort = () => this.giveUp('aborted', abortReason(signal));
      signal.addEventListener('abort', this.onAbort);
    }
  }

  get isSettled(): boolean {
    return this.settled;
  }

  resolve(value: T): void {
    if (!this.finish()) return;
    this.resolvePromise(value);
  }

  reject(error: unknown): void {
    if (!this.finish()) return;
    this.rejectPromise(error);
  }

  private giveUp(why: GiveUpReason, error: unknown): void {
    if (this.settled) return;
    this.onGiveUp(this, why);
    this.reject(error);
  }

  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.timer?.cancel();
    if (this.signal !== undefined && this.onAbort !== undefined) {
      this.signal.removeEventListener('abort', this.onAbort);
    }
    return true;
  }
}
