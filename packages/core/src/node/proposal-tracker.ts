import type { ProposalOutcome } from '../engine/ready.js';
import { ProposalDroppedError, TimeoutError } from '../errors.js';
import type { Clock } from '../interfaces/clock.js';
import type { ProposalSettleReason } from '../interfaces/observer.js';
import { type AppliedRecord, RecentResults } from './recent-results.js';
import { rejectionError } from './rejection-error.js';
import { type RequestOptions, RequestWaiter } from './request-waiter.js';

/** How a proposal ended, as reported to the observer. */
export type ProposalSettlement = 'applied' | 'rejected' | 'failed';

/** Tells the observer about a proposal's progress; only installed when an observer is set. */
export interface ProposalReporter {
  /** The engine placed proposal `id` at (`index`, `term`). */
  accepted(id: number, index: number, term: number): void;
  /** Called once per proposal when its promise settles; `index` is 0 if it never landed. */
  settled(
    id: number,
    outcome: ProposalSettlement,
    reason: ProposalSettleReason,
    index: number,
    startedAt: number,
  ): void;
}

interface PendingProposal<Result> {
  readonly id: number;
  readonly waiter: RequestWaiter<Result>;
  /** Where the entry landed, once the engine reported it (0 before). */
  index: number;
  term: number;
}

/** How many applied results are kept for outcomes that arrive after their entry was applied. */
const RECENT_RESULTS_CAPACITY = 1024;

/**
 * Pending proposals, first by proposal id until the engine reports where the entry landed, then by log
 * index until this node applies that index. An entry applied at the promised index with the promised
 * term is ours (Log Matching, Raft §5.3); any other term there means another leader overwrote it.
 */
export class ProposalTracker<Result> {
  private readonly awaitingOutcome = new Map<number, PendingProposal<Result>>();
  private readonly awaitingApply = new Map<number, PendingProposal<Result>[]>();
  private readonly recent = new RecentResults<Result>(RECENT_RESULTS_CAPACITY);

  constructor(private readonly report: ProposalReporter | undefined) {}

  /** Number of proposals not yet settled. */
  get size(): number {
    let size = this.awaitingOutcome.size;
    for (const list of this.awaitingApply.values()) size += list.length;
    return size;
  }

  /** True when no proposal is pending, so applied entries need no bookkeeping. */
  get idle(): boolean {
    return this.awaitingOutcome.size === 0 && this.awaitingApply.size === 0;
  }

  /** Start tracking proposal `id`; the returned promise settles through this tracker. */
  open(id: number, clock: Clock, timeoutMs: number, options: RequestOptions | undefined): Promise<Result> {
    const pending: PendingProposal<Result> = {
      id,
      index: 0,
      term: 0,
      waiter: new RequestWaiter<Result>(clock, timeoutMs, options, (_waiter, why) => {
        this.forget(pending);
        this.report?.settled(pending.id, 'failed', why, pending.index, pending.waiter.startedAt);
      }),
    };
    this.awaitingOutcome.set(id, pending);
    return pending.waiter.promise;
  }

  /** The engine told us where proposal `outcome.proposalId` landed, or that it was refused. */
  onOutcome(outcome: ProposalOutcome, appliedIndex: number): void {
    const pending = this.awaitingOutcome.get(outcome.proposalId);
    if (pending === undefined) return; // timed out or aborted already
    this.awaitingOutcome.delete(outcome.proposalId);
    if (!outcome.accepted) {
      this.settle(pending, 'rejected', outcome.reason, rejectionError(outcome.reason, outcome.leaderHint));
    } else if (outcome.index <= appliedIndex) {
      pending.index = outcome.index;
      pending.term = outcome.term;
      this.report?.accepted(pending.id, outcome.index, outcome.term);
      const record = this.recent.get(outcome.index);
      if (record === undefined) {
        this.settle(
          pending,
          'failed',
          'untracked',
          new TimeoutError('the entry was applied before its outcome arrived'),
        );
      } else {
        this.settleApplied(pending, record);
      }
    } else {
      pending.index = outcome.index;
      pending.term = outcome.term;
      this.report?.accepted(pending.id, outcome.index, outcome.term);
      const list = this.awaitingApply.get(outcome.index);
      if (list === undefined) this.awaitingApply.set(outcome.index, [pending]);
      else list.push(pending);
    }
    if (this.awaitingOutcome.size === 0) this.recent.clear();
  }

  /** This node applied the entry at `index`; settle whoever waited for it. */
  onApplied(index: number, record: AppliedRecord<Result>): void {
    // Any proposal still waiting for its outcome may learn later that it landed here.
    if (this.awaitingOutcome.size > 0) this.recent.add(index, record);
    const list = this.awaitingApply.get(index);
    if (list === undefined) return;
    this.awaitingApply.delete(index);
    for (const pending of list) this.settleApplied(pending, record);
  }

  /**
   * The state machine jumped to a snapshot at `index` (installed from the leader): entries up to it
   * were never applied here one by one, so their proposals' results are unknown. They fail with
   * TimeoutError, the error that means "may or may not have been applied".
   */
  onSkipped(index: number): void {
    for (const [at, list] of [...this.awaitingApply]) {
      if (at > index) continue;
      this.awaitingApply.delete(at);
      for (const pending of list) {
        this.settle(
          pending,
          'failed',
          'untracked',
          new TimeoutError('the entry was applied through a snapshot; its result is unknown here'),
        );
      }
    }
  }

  /** Reject every pending proposal (the node stopped or failed). */
  rejectAll(error: unknown): void {
    const all = [...this.awaitingOutcome.values()];
    for (const list of this.awaitingApply.values()) all.push(...list);
    this.awaitingOutcome.clear();
    this.awaitingApply.clear();
    this.recent.clear();
    for (const pending of all) this.settle(pending, 'failed', 'stopped', error);
  }

  private settleApplied(pending: PendingProposal<Result>, record: AppliedRecord<Result>): void {
    const index = pending.index;
    if (record.term === pending.term && record.hasResult) {
      if (this.report !== undefined && !pending.waiter.isSettled)
        this.report.settled(pending.id, 'applied', 'applied', index, pending.waiter.startedAt);
      pending.waiter.resolve(record.result as Result);
    } else {
      this.settle(
        pending,
        'rejected',
        'replaced',
        new ProposalDroppedError(`another leader's entry replaced the proposal at index ${index}`),
      );
    }
  }

  private settle(
    pending: PendingProposal<Result>,
    outcome: ProposalSettlement,
    reason: ProposalSettleReason,
    error: unknown,
  ): void {
    if (this.report !== undefined && !pending.waiter.isSettled)
      this.report.settled(pending.id, outcome, reason, pending.index, pending.waiter.startedAt);
    pending.waiter.reject(error);
  }

  private forget(pending: PendingProposal<Result>): void {
    this.awaitingOutcome.delete(pending.id);
    if (pending.index === 0) {
      if (this.awaitingOutcome.size === 0) this.recent.clear();
      return;
    }
    const list = this.awaitingApply.get(pending.index);
    if (list === undefined) return;
    const remaining = list.filter((other) => other !== pending);
    if (remaining.length === 0) this.awaitingApply.delete(pending.index);
    else this.awaitingApply.set(pending.index, remaining);
  }
}
