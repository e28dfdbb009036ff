import { afterEach, describe, expect, it, vi } from 'vitest';
import { Raft } from '../engine/raft.js';
import type { RaftEvent } from '../interfaces/observer.js';
import { bytes, TestCluster } from './node-harness.test-support.js';
import { OBSERVED_IDS, observedCluster, ofType } from './observer-harness.test-support.js';

// Virtual time throughout. These tests guard the observer contract that @raft/otel builds on.
const IDS = OBSERVED_IDS;

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('RaftNode observer: proposal lifecycle', () => {
  it('a proposal is reported started, accepted at its index, committed, applied, then settled, in that order', async () => {
    const observed = observedCluster(['a']);
    cluster = observed.cluster;
    const events = observed.events.get('a')!;
    const leader = await cluster.startWithLeader('a');
    const proposedAt = cluster.clock.now();
    const outcome = await cluster.clock.outcome(leader.node.propose(bytes('hello')), 5_000);
    expect(outcome.status).toBe('fulfilled');
    const index = outcome.status === 'fulfilled' ? outcome.value : -1;

    const started = ofType(events, 'proposal-started');
    expect(started).toHaveLength(1);
    const id = started[0]!.proposalId;
    expect(started[0]).toEqual({
      type: 'proposal-started',
      proposalId: id,
      bytes: 5,
      startedAt: proposedAt,
    });
    const position = (predicate: (event: RaftEvent) => boolean): number => events.findIndex(predicate);
    const at = {
      started: position((event) => event.type === 'proposal-started'),
      accepted: position(
        (event) =>
          event.type === 'proposals-accepted' &&
          event.proposals.some((proposal) => proposal.proposalId === id && proposal.index === index),
      ),
      committed: position((event) => event.type === 'committed' && event.index >= index),
      applied: position((event) => event.type === 'applied' && event.index >= index),
      settled: position(
        (event) =>
          event.type === 'proposals-settled' &&
          event.proposals.some((proposal) => proposal.proposalId === id),
      ),
    };
    expect(Object.values(at).every((value) => value >= 0)).toBe(true);
    expect(at.started).toBeLessThan(at.accepted);
    expect(at.accepted).toBeLessThan(at.committed);
    expect(at.committed).toBeLessThan(at.applied);
    expect(at.applied).toBeLessThan(at.settled);
    const settled = events[at.settled];
    expect(settled).toMatchObject({ outcome: 'applied', reason: 'applied' });
    expect(settled?.type === 'proposals-settled' && settled.proposals).toEqual([
      { proposalId: id, index, term: leader.node.status().term, startedAt: expect.any(Number) },
    ]);
  });

  it('an observer that answers wantsProposalStarted with false gets no proposal-started, but the same batch events', async () => {
    const events: RaftEvent[] = [];
    let wanted = false;
    const asked = vi.fn((_proposalId: number, _startedAt: number) => wanted);
    cluster = new TestCluster(OBSERVED_IDS, {
      observer: (id) =>
        id === 'a'
          ? Object.assign((event: RaftEvent) => events.push(event), { wantsProposalStarted: asked })
          : undefined,
    });
    const leader = await cluster.startWithLeader('a');
    const skipped = await cluster.clock.outcome(leader.node.propose(bytes('quiet')), 5_000);
    expect(skipped.status).toBe('fulfilled');
    expect(asked).toHaveBeenCalledTimes(1);
    expect(ofType(events, 'proposal-started')).toEqual([]);
    const accepted = ofType(events, 'proposals-accepted').flatMap((event) => event.proposals);
    const settled = ofType(events, 'proposals-settled').flatMap((event) => event.proposals);
    expect(accepted).toHaveLength(1);
    // Asked with the id and time the event would have carried.
    expect(asked).toHaveBeenCalledWith(accepted[0]!.proposalId, accepted[0]!.startedAt);
    expect(settled.map((proposal) => proposal.proposalId)).toEqual([accepted[0]!.proposalId]);

    wanted = true;
    const reported = await cluster.clock.outcome(leader.node.propose(bytes('heard')), 5_000);
    expect(reported.status).toBe('fulfilled');
    expect(asked).toHaveBeenCalledTimes(2);
    const started = ofType(events, 'proposal-started');
    expect(started).toHaveLength(1);
    expect(started[0]!.proposalId).toBeGreaterThan(accepted[0]!.proposalId);
  });

  it('settle reasons: refused is rejected not-leader; deadline, abort and stop are failed timeout, aborted, stopped', async () => {
    const observed = observedCluster(['a', 'b'], { raft: { forwardProposals: false } });
    cluster = observed.cluster;
    const leader = await cluster.startWithLeader('a');
    const follower = cluster.member('b');
    await cluster.clock.waitFor(() => follower.node.status().leader === 'a', 5_000, 'b to know a');
    await cluster.clock.outcome(follower.node.propose(bytes('refused')), 5_000);
    expect(ofType(observed.events.get('b')!, 'proposals-settled')).toEqual([
      expect.objectContaining({
        outcome: 'rejected',
        reason: 'not-leader',
        proposals: [expect.objectContaining({ index: 0, term: 0 })],
      }),
    ]);

    // With its followers cut off the leader cannot commit: the caller's deadline, signal or stop ends it.
    cluster.network.isolate('a');
    const controller = new AbortController();
    // Handled from the start: they settle while the test awaits something else.
    const [timedOut, aborted, stopped] = [
      leader.node.propose(bytes('late'), { timeoutMs: 300 }),
      leader.node.propose(bytes('aborted'), { signal: controller.signal }),
      leader.node.propose(bytes('stopped')),
    ].map((promise) => promise.catch((error: unknown) => error));
    await cluster.clock.advance(50);
    controller.abort(new Error('caller gave up'));
    await cluster.clock.outcome(timedOut!, 5_000);
    await cluster.clock.outcome(aborted!, 5_000);
    await leader.node.stop();
    await stopped;

    const events = observed.events.get('a')!;
    const settled = ofType(events, 'proposals-settled').map(({ outcome, reason }) => `${outcome} ${reason}`);
    expect(settled).toEqual(['failed aborted', 'failed timeout', 'failed stopped']);
    // Each landed in the leader's log before it was given up on, so each reports its index.
    expect(
      ofType(events, 'proposals-settled').every((event) => event.proposals.every(({ index }) => index > 0)),
    ).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'node-stopped', failed: false });
  });
});

describe('RaftNode observer: node lifecycle and replication', () => {
  it('node-started comes first with the loaded state; a failure reports node-failed then node-stopped', async () => {
    const observed = observedCluster(['a']);
    cluster = observed.cluster;
    const leader = await cluster.startWithLeader('a');
    const events = observed.events.get('a')!;
    // Bootstrap wrote the founding configuration at index 1 in term 1, committed by definition.
    expect(events[0]).toEqual({
      type: 'node-started',
      role: 'follower',
      term: 1,
      leader: '',
      commitIndex: 1,
      appliedIndex: 0,
      lastIndex: 1,
    });
    leader.stateMachine.failOn = 'poison';
    await cluster.clock.outcome(leader.node.propose(bytes('poison')), 5_000);
    // The failure, then the pending proposal rejected with it, then the end.
    expect(events.slice(-3)).toEqual([
      expect.objectContaining({
        type: 'node-failed',
        error: expect.objectContaining({ code: 'RAFT_STOPPED' }),
      }),
      expect.objectContaining({ type: 'proposals-settled', outcome: 'failed', reason: 'stopped' }),
      { type: 'node-stopped', failed: true },
    ]);
  });

  it('a leader reports replication progress for every follower once per tick; a follower never does', async () => {
    const observed = observedCluster(['a', 'b']);
    cluster = observed.cluster;
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.outcome(leader.node.propose(bytes('x')), 5_000);
    const before = ofType(observed.events.get('a')!, 'replication-progress').length;
    await cluster.clock.advance(10 * 100);
    const reports = ofType(observed.events.get('a')!, 'replication-progress');
    // The harness ticks every 100 ms: ten ticks, ten samples.
    expect(reports.length - before).toBe(10);
    const last = reports.at(-1)!;
    expect([...last.progress.keys()].sort()).toEqual(['b', 'c']);
    expect(last.lastIndex).toBe(leader.node.status().lastIndex);
    expect(last.progress.get('b')?.match).toBe(last.lastIndex);
    expect(ofType(observed.events.get('b')!, 'replication-progress')).toEqual([]);
  });
});

describe('RaftNode observer: zero cost without an observer', () => {
  it('without an observer the driver reads the clock only for request deadlines and never builds a status', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    const now = vi.spyOn(cluster.clock, 'now');
    const status = vi.spyOn(Raft.prototype, 'status');
    try {
      const proposals = ['p1', 'p2', 'p3', 'p4', 'p5'].map((text) => leader.node.propose(bytes(text)));
      await cluster.clock.advance(1_000);
      await Promise.all(proposals);
      // One clock read per RequestWaiter (its deadline); durations are only measured for an observer.
      expect(now).toHaveBeenCalledTimes(5);
      // Replication progress (a status per tick on a leader) is only sampled for an observer.
      expect(status).not.toHaveBeenCalled();
    } finally {
      now.mockRestore();
      status.mockRestore();
    }
  });

  it('the same run with an observer reads the clock for durations and samples status (the check above can fail)', async () => {
    const observed = observedCluster(['a']);
    cluster = observed.cluster;
    const leader = await cluster.startWithLeader('a');
    const now = vi.spyOn(cluster.clock, 'now');
    const status = vi.spyOn(Raft.prototype, 'status');
    try {
      const proposals = ['p1', 'p2', 'p3', 'p4', 'p5'].map((text) => leader.node.propose(bytes(text)));
      await cluster.clock.advance(1_000);
      await Promise.all(proposals);
      expect(now.mock.calls.length).toBeGreaterThan(5);
      expect(status).toHaveBeenCalled();
    } finally {
      now.mockRestore();
      status.mockRestore();
    }
  });
});
