import { describe, expect, it } from 'vitest';
import { VirtualClock } from './node-harness.test-support.js';
import { ProposalTracker } from './proposal-tracker.js';

const NO_TIMEOUT = Number.POSITIVE_INFINITY;

function applied(term: number, result: string) {
  return { term, hasResult: true, result } as const;
}

describe('ProposalTracker', () => {
  it('resolves with the result of the entry applied at the promised index and term', async () => {
    const clock = new VirtualClock();
    const tracker = new ProposalTracker<string>(undefined);
    const promise = tracker.open(1, clock, NO_TIMEOUT, undefined);
    tracker.onOutcome({ proposalId: 1, accepted: true, index: 5, term: 2 }, 3);
    tracker.onApplied(4, applied(2, 'four'));
    tracker.onApplied(5, applied(2, 'five'));
    await expect(promise).resolves.toBe('five');
  });

  it('rejects RAFT_PROPOSAL_DROPPED when the entry applied at that index has another term (Raft §5.3)', async () => {
    const clock = new VirtualClock();
    const tracker = new ProposalTracker<string>(undefined);
    const promise = tracker.open(1, clock, NO_TIMEOUT, undefined);
    tracker.onOutcome({ proposalId: 1, accepted: true, index: 5, term: 2 }, 3);
    tracker.onApplied(5, applied(3, 'someone else'));
    await expect(promise).rejects.toMatchObject({ code: 'RAFT_PROPOSAL_DROPPED' });
  });

  it('an outcome arriving after its entry was applied still gets the result (reordered ProposeResponse)', async () => {
    const clock = new VirtualClock();
    const tracker = new ProposalTracker<string>(undefined);
    const mine = tracker.open(1, clock, NO_TIMEOUT, undefined);
    const dropped = tracker.open(2, clock, NO_TIMEOUT, undefined);
    tracker.onApplied(7, applied(4, 'seven'));
    tracker.onApplied(8, applied(4, 'eight'));
    tracker.onOutcome({ proposalId: 1, accepted: true, index: 7, term: 4 }, 8);
    tracker.onOutcome({ proposalId: 2, accepted: true, index: 8, term: 3 }, 8);
    await expect(mine).resolves.toBe('seven');
    await expect(dropped).rejects.toMatchObject({ code: 'RAFT_PROPOSAL_DROPPED' });
  });

  it('a late outcome for an entry no longer remembered rejects RAFT_TIMEOUT (outcome unknown)', async () => {
    const clock = new VirtualClock();
    const tracker = new ProposalTracker<string>(undefined);
    tracker.onApplied(1, applied(1, 'before anyone waited'));
    const promise = tracker.open(1, clock, NO_TIMEOUT, undefined);
    tracker.onOutcome({ proposalId: 1, accepted: true, index: 1, term: 1 }, 1);
    await expect(promise).rejects.toMatchObject({ code: 'RAFT_TIMEOUT' });
  });

  it('maps refusals onto typed errors: not-leader carries the hint, transferring and dropped are retryable', async () => {
    const clock = new VirtualClock();
    const tracker = new ProposalTracker<string>(undefined);
    const notLeader = tracker.open(1, clock, NO_TIMEOUT, undefined);
    const transferring = tracker.open(2, clock, NO_TIMEOUT, undefined);
    const dropped = tracker.open(3, clock, NO_TIMEOUT, undefined);
    tracker.onOutcome({ proposalId: 1, accepted: false, reason: 'not-leader', leaderHint: 'b' }, 0);
    tracker.onOutcome({ proposalId: 2, accepted: false, reason: 'transferring', leaderHint: 'a' }, 0);
    tracker.onOutcome({ proposalId: 3, accepted: false, reason: 'dropped', leaderHint: 'a' }, 0);
    await expect(notLeader).rejects.toMatchObject({ code: 'RAFT_NOT_LEADER', leaderHint: 'b' });
    await expect(transferring).rejects.toMatchObject({ code: 'RAFT_PROPOSAL_DROPPED' });
    await expect(dropped).rejects.toMatchObject({ code: 'RAFT_PROPOSAL_DROPPED' });
  });

  it('a timed-out proposal is forgotten: its entry applying later settles nothing and reports once', async () => {
    const clock = new VirtualClock();
    const reports: string[] = [];
    const tracker = new ProposalTracker<string>({
      accepted: (id, index) => reports.push(`accepted ${id} at ${index}`),
      settled: (id, outcome, reason, index) => reports.push(`${outcome} ${id} ${reason} at ${index}`),
    });
    const promise = tracker.open(1, clock, 100, undefined);
    tracker.onOutcome({ proposalId: 1, accepted: true, index: 2, term: 1 }, 0);
    const settled = promise.catch((error: unknown) => error);
    await clock.advance(100);
    await expect(settled).resolves.toMatchObject({ code: 'RAFT_TIMEOUT' });
    tracker.onApplied(2, applied(1, 'late'));
    expect(tracker.size).toBe(0);
    expect(reports).toEqual(['accepted 1 at 2', 'failed 1 timeout at 2']);
  });

  it('reports why each proposal settled: applied, replaced by another term, refused, untracked', async () => {
    const clock = new VirtualClock();
    const reports: string[] = [];
    const tracker = new ProposalTracker<string>({
      accepted: () => undefined,
      settled: (id, outcome, reason, index) => reports.push(`${id} ${outcome} ${reason} at ${index}`),
    });
    const promises = [1, 2, 3, 4].map((id) =>
      tracker.open(id, clock, NO_TIMEOUT, undefined).catch((error: unknown) => error),
    );
    tracker.onOutcome({ proposalId: 1, accepted: true, index: 5, term: 2 }, 0);
    tracker.onOutcome({ proposalId: 2, accepted: true, index: 6, term: 2 }, 0);
    tracker.onOutcome({ proposalId: 3, accepted: false, reason: 'transferring', leaderHint: 'a' }, 0);
    tracker.onApplied(5, applied(2, 'mine'));
    tracker.onApplied(6, applied(3, 'another leader'));
    tracker.onOutcome({ proposalId: 4, accepted: true, index: 2, term: 1 }, 6);
    await Promise.all(promises);
    expect(reports).toEqual([
      '3 rejected transferring at 0',
      '1 applied applied at 5',
      '2 rejected replaced at 6',
      '4 failed untracked at 2',
    ]);
  });

  it('rejectAll rejects proposals in both stages with the given error', async () => {
    const clock = new VirtualClock();
    const tracker = new ProposalTracker<string>(undefined);
    const waiting = tracker.open(1, clock, NO_TIMEOUT, undefined);
    const placed = tracker.open(2, clock, NO_TIMEOUT, undefined);
    tracker.onOutcome({ proposalId: 2, accepted: true, index: 9, term: 1 }, 0);
    const error = new Error('stopped');
    tracker.rejectAll(error);
    await expect(waiting).rejects.toBe(error);
    await expect(placed).rejects.toBe(error);
    expect(tracker.size).toBe(0);
  });
});
