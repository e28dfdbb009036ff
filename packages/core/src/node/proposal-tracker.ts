import type { ProposalOutcome } from '../engine/ready.js';
import { ProposalDroppedError, TimeoutError } from '../errors.js';
import type { Clock } from '../interfaces/clock.js';
import type { ProposalRecord, ProposalSettleReason } from '../interfaces/observer.js';
import { type AppliedRecord, RecentResults } from './recent-results.js';
import { rejectionError } from './rejection-error.js';
import { type RequestOptions, RequestWaiter } from './request-waiter.js';

/** How a proposal ended, as reported to the observer. */
export type ProposalSettlement = 'applied' | 'rejected' | 'failed';

/**
 * Tells the observer about proposals' progress, in batches; only installed when an observer is set.
 * Each proposal is reported accepted at most once and settled exactly once, accepted first.
 */
export interface ProposalReporter {
  /** The engine placed these proposals (each at its `index` and `term`). */
  accepted(proposals: readonly ProposalRecord[]): void;
  /** These proposals' promises settled, all with `outcome` and `reason`. */
  settled(
    outcome: ProposalSettlement,
    reason: ProposalSettleReason,
    proposals: readonly ProposalRecord[],
  ): void;
}

/**
 * A pending proposal is its own record in the observer's batch events, so reporting allocates nothing
 * per proposal. Its waiter is a private field: an observer sees the record's four fields only.
 */
class PendingProposal<Result> implements ProposalRecord {
  /** Where the entry landed, once the engine reported it (0 before). */
  index = 0;
  term = 0;
  readonly startedAt: number;
  readonly #waiter: RequestWaiter<Result>;

  constructor(
    readonly proposalId: number,
    waiter: RequestWaiter<Result>,
  ) {
    this.startedAt = waiter.startedAt;
    this.#waiter = waiter;
  }

  get waiter(): RequestWaiter<Result> {
    return this.#waiter;
  }
}

/** How many applied results are kept for outcomes that arrive after their entry was applied. */
const RECENT_RESULTS_CAPACITY = 1024;

/**
 * Pending proposals, first by proposal id until the engine reports where the entry landed, then by log
 * index until this node applies that index. An entry applied at the promised index with the promised
 * term is ours (Log Matching, Raft §5.3); any other term there means another leader overwrote it.
 *
 * Acceptances and applied settlements, which come by the hundred under load, are reported in batches:
 * the driver calls {@link flushReports} after a run of {@link onOutcome} or {@link onApplied} calls.
 * Every other settlement is reported at once, after whatever was batched.
 */
export class ProposalTracker<Result> {
  private readonly awaitingOutcome = new Map<number, PendingProposal<Result>>();
  private readonly awaitingApply = new Map<number, PendingProposal<Result>[]>();
  private readonly recent = new RecentResults<Result>(RECENT_RESULTS_CAPACITY);
  private acceptedBatch: PendingProposal<Result>[] = [];
  private appliedBatch: PendingProposal<Result>[] = [];

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

  /**
   * Start tracking proposal `id`, made at `startedAt` on `clock` (read now unless given); the
   * returned promise settles through this tracker.
   */
  open(
    id: number,
    clock: Clock,
    timeoutMs: number,
    options: RequestOptions | undefined,
    startedAt: number = clock.now(),
  ): Promise<Result> {
    const waiter = new RequestWaiter<Result>(
      clock,
      timeoutMs,
      options,
      (_waiter, why) => {
        this.forget(pending);
        this.reportSettled('failed', why, [pending]);
      },
      startedAt,
    );
    const pending = new PendingProposal(id, waiter);
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
      this.accept(pending, outcome.index, outcome.term);
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
      this.accept(pending, outcome.index, outcome.term);
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
    const skipped: PendingProposal<Result>[] = [];
    for (const [at, list] of [...this.awaitingApply]) {
      if (at > index) continue;
      this.awaitingApply.delete(at);
      skipped.push(...list);
    }
    this.settleAll(
      skipped,
      'untracked',
      new TimeoutError('the entry was applied through a snapshot; its result is unknown here'),
    );
  }

  /** Reject every pending proposal (the node stopped or failed). */
  rejectAll(error: unknown): void {
    const all = [...this.awaitingOutcome.values()];
    for (const list of this.awaitingApply.values()) all.push(...list);
    this.awaitingOutcome.clear();
    this.awaitingApply.clear();
    this.recent.clear();
    this.settleAll(all, 'stopped', error);
  }

  /** Report what {@link onOutcome} and {@link onApplied} batched: acceptances first, then applied proposals. */
  flushReports(): void {
    const report = this.report;
    if (report === undefined) return;
    if (this.acceptedBatch.length > 0) {
      const accepted = this.acceptedBatch;
      this.acceptedBatch = [];
      report.accepted(accepted);
    }
    if (this.appliedBatch.length > 0) {
      const applied = this.appliedBatch;
      this.appliedBatch = [];
      report.settled('applied', 'applied', applied);
    }
  }

  private accept(pending: PendingProposal<Result>, index: number, term: number): void {
    pending.index = index;
    pending.term = term;
    if (this.report !== undefined) this.acceptedBatch.push(pending);
  }

  private settleApplied(pending: PendingProposal<Result>, record: AppliedRecord<Result>): void {
    const index = pending.index;
    if (record.term === pending.term && record.hasResult) {
      if (this.report !== undefined && !pending.waiter.isSettled) this.appliedBatch.push(pending);
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
    if (!pending.waiter.isSettled) this.reportSettled(outcome, reason, [pending]);
    pending.waiter.reject(error);
  }

  /** Fail `list` together with one reason (a stop, a snapshot that skipped their entries). */
  private settleAll(
    list: readonly PendingProposal<Result>[],
    reason: ProposalSettleReason,
    error: unknown,
  ): void {
    const open = list.filter((pending) => !pending.waiter.isSettled);
    if (open.length > 0) this.reportSettled('failed', reason, open);
    for (const pending of list) pending.waiter.reject(error);
  }

  /** Report a settlement now, after anything batched (a proposal is reported accepted before settled). */
  private reportSettled(
    outcome: ProposalSettlement,
    reason: ProposalSettleReason,
    proposals: readonly PendingProposal<Result>[],
  ): void {
    if (this.report === undefined) return;
    this.flushReports();
    this.report.settled(outcome, reason, proposals);
  }

  private forget(pending: PendingProposal<Result>): void {
    this.awaitingOutcome.delete(pending.proposalId);
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
