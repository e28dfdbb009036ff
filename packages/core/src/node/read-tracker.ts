import type { ReadFailure, ReadState } from '../engine/ready.js';
import type { Clock } from '../interfaces/clock.js';
import { rejectionError } from './rejection-error.js';
import { type RequestOptions, RequestWaiter } from './request-waiter.js';

/** Called once per settled read; only installed when an observer is set. */
export type ReadReporter = (outcome: 'served' | 'rejected', startedAt: number) => void;

interface PendingRead {
  readonly id: number;
  readonly waiter: RequestWaiter<void>;
  /** The read index the engine confirmed (0 before). */
  index: number;
}

/**
 * Pending linearizable reads (ReadIndex, thesis §6.4): first by request id until the engine confirms
 * a read index, then until this node's state machine has applied that index.
 */
export class ReadTracker {
  private readonly awaitingIndex = new Map<number, PendingRead>();
  private awaitingApply: PendingRead[] = [];

  constructor(private readonly report: ReadReporter | undefined) {}

  open(id: number, clock: Clock, timeoutMs: number, options: RequestOptions | undefined): Promise<void> {
    const pending: PendingRead = {
      id,
      index: 0,
      waiter: new RequestWaiter<void>(clock, timeoutMs, options, () => {
        this.forget(pending);
        this.report?.('rejected', pending.waiter.startedAt);
      }),
    };
    this.awaitingIndex.set(id, pending);
    return pending.waiter.promise;
  }

  /** The engine confirmed a read index; serve now if already applied, else once it is. */
  onReadState(state: ReadState, appliedIndex: number): void {
    const pending = this.awaitingIndex.get(state.requestId);
    if (pending === undefined) return;
    this.awaitingIndex.delete(state.requestId);
    pending.index = state.index;
    if (state.index <= appliedIndex) this.serve(pending);
    else this.awaitingApply.push(pending);
  }

  onFailure(failure: ReadFailure): void {
    const pending = this.awaitingIndex.get(failure.requestId);
    if (pending === undefined) return;
    this.awaitingIndex.delete(failure.requestId);
    if (this.report !== undefined) this.report('rejected', pending.waiter.startedAt);
    pending.waiter.reject(rejectionError(failure.reason, failure.leaderHint));
  }

  /** The state machine now reflects everything up to `appliedIndex`. */
  onApplied(appliedIndex: number): void {
    if (this.awaitingApply.length === 0) return;
    const waiting: PendingRead[] = [];
    for (const pending of this.awaitingApply) {
      if (pending.index <= appliedIndex) this.serve(pending);
      else waiting.push(pending);
    }
    this.awaitingApply = waiting;
  }

  rejectAll(error: unknown): void {
    const all = [...this.awaitingIndex.values(), ...this.awaitingApply];
    this.awaitingIndex.clear();
    this.awaitingApply = [];
    for (const pending of all) {
      if (this.report !== undefined && !pending.waiter.isSettled)
        this.report('rejected', pending.waiter.startedAt);
      pending.waiter.reject(error);
    }
  }

  private serve(pending: PendingRead): void {
    if (this.report !== undefined && !pending.waiter.isSettled)
      this.report('served', pending.waiter.startedAt);
    pending.waiter.resolve();
  }

  private forget(pending: PendingRead): void {
    this.awaitingIndex.delete(pending.id);
    this.awaitingApply = this.awaitingApply.filter((other) => other !== pending);
  }
}
