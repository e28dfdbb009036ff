import { afterEach, describe, expect, it } from 'vitest';
import { StoppedError } from '../errors.js';
import { bytes, TestCluster } from './node-harness.test-support.js';

const IDS = ['a', 'b', 'c'] as const;

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('RaftNode: lost proposals', () => {
  it('a proposal whose entry another leader overwrote rejects RAFT_PROPOSAL_DROPPED (Raft §5.3)', async () => {
    cluster = new TestCluster(IDS);
    const oldLeader = await cluster.startWithLeader('a');
    await cluster.clock.advance(200);
    const oldTerm = oldLeader.node.status().term;
    // a keeps its uncommitted entry while b and c elect a leader that writes its own entry there.
    cluster.network.isolate('a');
    // Two entries: the new leader's no-op replaces the first and its application entry 'kept' the
    // second, so the term check (not just "is it an application entry") decides.
    const lost = ['lost1', 'lost2'].map((text) =>
      // Handled from the start: both settle together, while the test awaits one at a time.
      oldLeader.node.propose(bytes(text), { timeoutMs: 60_000 }).then(
        (index) => ({ applied: index }),
        (error: unknown) => error,
      ),
    );
    await cluster.clock.advance(0);
    const lostIndex = oldLeader.node.inspect().status.lastIndex;
    await cluster.clock.waitFor(
      () => {
        const id = cluster?.leaderId();
        return id !== undefined && id !== 'a' && cluster!.member(id).node.status().term > oldTerm;
      },
      10_000,
      'b or c to lead',
    );
    const newLeader = cluster.member(cluster.leaderId()!);
    expect(await cluster.clock.outcome(newLeader.node.propose(bytes('kept')), 5_000)).toMatchObject({
      status: 'fulfilled',
    });
    cluster.network.heal();
    for (const promise of lost) {
      const outcome = await cluster.clock.outcome(promise, 10_000);
      expect(outcome).toMatchObject({ status: 'fulfilled', value: { code: 'RAFT_PROPOSAL_DROPPED' } });
    }
    const entry = oldLeader.node.inspect().entries.find((candidate) => candidate.index === lostIndex);
    expect(entry?.term).toBeGreaterThan(oldTerm);
    expect(oldLeader.stateMachine.values).toEqual(['kept']);
  });
});

describe('RaftNode: fatal errors', () => {
  it('a state machine that throws stops the node and rejects its requests with the cause attached', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    const failure = new Error('disk full in the state machine');
    leader.stateMachine.apply = () => {
      throw failure;
    };
    const outcome = await cluster.clock.outcome(leader.node.propose(bytes('x')), 5_000);
    expect(outcome.status).toBe('rejected');
    const reason = outcome.status === 'rejected' ? outcome.reason : undefined;
    expect(reason).toBeInstanceOf(StoppedError);
    expect((reason as Error).cause).toBe(failure);
    // Reported once through onFatalError, and the node refuses work from then on.
    expect(leader.fatalErrors).toEqual([reason]);
    await expect(leader.node.read()).rejects.toBe(reason);
    await expect(leader.node.stop()).resolves.toBeUndefined();
  });

  it('a state machine returning the wrong number of results fails the node', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    leader.stateMachine.apply = () => [];
    const outcome = await cluster.clock.outcome(leader.node.propose(bytes('x')), 5_000);
    expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'RAFT_STOPPED' } });
    expect(leader.fatalErrors).toHaveLength(1);
  });

  it('a persist that fails stops the node and rejects pending requests with the storage error as cause', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.advance(200);
    const failure = new Error('EIO');
    leader.storage.failNext = failure;
    const proposal = leader.node.propose(bytes('x'));
    // Handled from the start: it rejects while the test still waits for the proposal.
    const read = leader.node.read().then(
      () => 'served',
      (error: unknown) => error,
    );
    const outcome = await cluster.clock.outcome(proposal, 5_000);
    expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'RAFT_STOPPED', cause: failure } });
    expect(await read).toMatchObject({ code: 'RAFT_STOPPED', cause: failure });
    expect(leader.fatalErrors).toHaveLength(1);
    // The failed node stopped its transport: the others elect a new leader without it.
    await cluster.clock.waitFor(
      () => cluster?.leaderId() !== undefined && cluster.leaderId() !== 'a',
      10_000,
      'a new leader',
    );
  });
});
