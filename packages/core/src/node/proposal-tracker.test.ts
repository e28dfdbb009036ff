import { describe, expect, it } from 'vitest';
import { VirtualClock } from './node-harness.test-support.js';
import { type ProposalReporter, ProposalTracker } from './proposal-tracker.js';

const NO_TIMEOUT = Number.POSITIVE_INFINITY;

function applied(term: number, result: string) {
  return { term, hasResult: true, result } as const;
}

/** A reporter writing one line per acceptance and one per settled batch. */
function recorder(reports: string[]): ProposalReporter {
  return {
    accepted: (proposals) => {
      for (const proposal of proposals) reports.push(`accepted ${proposal.proposalId} at ${proposal.index}`);
    },
    settled: (outcome, reason, proposals) => {
      const which = proposals.map((proposal) => `${proposal.proposalId} at ${proposal.index}`);
      reports.push(`${outcome} ${reason}: ${which.join(', ')}`);
    },
  };
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
    const tracker = new ProposalTracker<string>(recorder(reports));
    const promise = tracker.open(1, clock, 100, undefined);
    tracker.onOutcome({ proposalId: 1, accepted: true, index: 2, term: 1 }, 0);
    const settled = promise.catch((error: unknown) => error);
    await clock.advance(100);
    await expect(settled).resolves.toMatchObject({ code: 'RAFT_TIMEOUT' });
    tracker.onApplied(2, applied(1, 'late'));
    expect(tracker.size).toBe(0);
    tracker.flushReports();
    expect(reports).toEqual(['accepted 1 at 2', 'failed timeout: 1 at 2']);
  });

  it('reports why each proposal settled: applied, replaced by another term, refused, untracked', async () => {
    const clock = new VirtualClock();
    const reports: string[] = [];
    const tracker = new ProposalTracker<string>(recorder(reports));
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
    // Settled at once, each after what was batched before it (a proposal is accepted before it settles).
    expect(reports).toEqual([
      'accepted 1 at 5',
      'accepted 2 at 6',
      'rejected transferring: 3 at 0',
      'applied applied: 1 at 5',
      'rejected replaced: 2 at 6',
      'accepted 4 at 2',
      'failed untracked: 4 at 2',
    ]);
  });

  it('acceptances and applied settlements are reported in batches when flushed, in order, with their start times', async () => {
    const clock = new VirtualClock();
    const batches: string[] = [];
    const tracker = new ProposalTracker<string>({
      accepted: (proposals) => batches.push(`accepted ${proposals.map((p) => p.proposalId).join(',')}`),
      settled: (outcome, reason, proposals) =>
        batches.push(
          `${outcome} ${reason} ${proposals.map((p) => `${p.proposalId}@${p.index}/${p.term} from ${p.startedAt}`).join(',')}`,
        ),
    });
    const promises = [1, 2, 3].map((id) => tracker.open(id, clock, NO_TIMEOUT, undefined));
    await clock.advance(10);
    const late = tracker.open(4, clock, NO_TIMEOUT, undefined);
    for (const id of [1, 2, 3, 4])
      tracker.onOutcome({ proposalId: id, accepted: true, index: 10 + id, term: 2 }, 0);
    expect(batches).toEqual([]);
    tracker.flushReports();
    for (const index of [11, 12, 13, 14]) tracker.onApplied(index, applied(2, `r${index}`));
    expect(batches).toHaveLength(1);
    tracker.flushReports();
    tracker.flushReports();
    expect(batches).toEqual([
      'accepted 1,2,3,4',
      'applied applied 1@11/2 from 0,2@12/2 from 0,3@13/2 from 0,4@14/2 from 10',
    ]);
    await expect(Promise.all([...promises, late])).resolves.toEqual(['r11', 'r12', 'r13', 'r14']);
  });

  it('rejectAll reports every pending proposal in one failed stopped batch', async () => {
    const clock = new VirtualClock();
    const reports: string[] = [];
    const tracker = new ProposalTracker<string>(recorder(reports));
    const promises = [1, 2].map((id) =>
      tracker.open(id, clock, NO_TIMEOUT, undefined).catch(() => 'rejected'),
    );
    tracker.onOutcome({ proposalId: 2, accepted: true, index: 9, term: 1 }, 0);
    tracker.rejectAll(new Error('stopped'));
    expect(reports).toEqual(['accepted 2 at 9', 'failed stopped: 1 at 0, 2 at 9']);
    await expect(Promise.all(promises)).resolves.toEqual(['rejected', 'rejected']);
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
