import { afterEach, describe, expect, it } from 'vitest';
import type { RaftEvent } from '../interfaces/observer.js';
import { bytes, settle, TestCluster } from './node-harness.test-support.js';

// Every test runs on virtual time: nothing here waits on the real clock.
const IDS = ['a', 'b', 'c'] as const;

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

function errorCode(reason: unknown): unknown {
  return (reason as { code?: unknown }).code;
}

describe('RaftNode: proposals', () => {
  it('elects a leader and resolves a proposal on the leader with the state machine result', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    const outcome = await cluster.clock.outcome(leader.node.propose(bytes('x')), 5_000);
    expect(outcome.status).toBe('fulfilled');
    // The state machine returns the entry's index, so the promise carries this node's apply result.
    const index = outcome.status === 'fulfilled' ? outcome.value : -1;
    expect(leader.stateMachine.values).toEqual(['x']);
    expect(leader.node.status().appliedIndex).toBeGreaterThanOrEqual(index);
    expect(leader.node.inspect().entries.find((entry) => entry.index === index)?.data).toEqual(bytes('x'));
  });

  it('a follower forwards a proposal to the leader and resolves once it applied the entry itself', async () => {
    cluster = new TestCluster(IDS);
    await cluster.startWithLeader('a');
    const follower = cluster.member('b');
    const outcome = await cluster.clock.outcome(follower.node.propose(bytes('from-b')), 5_000);
    expect(outcome).toMatchObject({ status: 'fulfilled' });
    // Resolved on the follower, so the follower's own state machine already holds the value.
    expect(follower.stateMachine.values).toEqual(['from-b']);
    expect(follower.transport.sent.some((message) => message.type === 'Propose')).toBe(true);
  });

  it('with forwardProposals off a follower rejects RAFT_NOT_LEADER carrying the leader hint', async () => {
    cluster = new TestCluster(IDS, { raft: { forwardProposals: false } });
    await cluster.startWithLeader('a');
    const outcome = await cluster.clock.outcome(cluster.member('c').node.propose(bytes('x')), 1_000);
    expect(outcome.status).toBe('rejected');
    const reason = outcome.status === 'rejected' ? outcome.reason : undefined;
    expect(errorCode(reason)).toBe('RAFT_NOT_LEADER');
    expect((reason as { leaderHint: string }).leaderHint).toBe('a');
  });

  it('an empty proposal is refused: an empty entry is indistinguishable from a leader no-op', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await expect(leader.node.propose(new Uint8Array())).rejects.toBeInstanceOf(RangeError);
  });

  it('the proposal data is copied: changing the caller buffer afterwards changes nothing', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    const data = bytes('one');
    const promise = leader.node.propose(data);
    data.set(bytes('two'));
    expect(await cluster.clock.outcome(promise, 5_000)).toMatchObject({ status: 'fulfilled' });
    expect(leader.stateMachine.values).toEqual(['one']);
  });

  it('with transfer, the proposal data itself becomes the log entry (no copy)', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    const data = bytes('handed over');
    const copied = bytes('copied');
    const promises = [leader.node.propose(data, { transfer: true }), leader.node.propose(copied)];
    for (const promise of promises) {
      expect(await cluster.clock.outcome(promise, 5_000)).toMatchObject({ status: 'fulfilled' });
    }
    const entries = leader.node.inspect().entries;
    expect(entries.some((entry) => entry.data === data)).toBe(true);
    expect(entries.some((entry) => entry.data === copied)).toBe(false);
    expect(leader.stateMachine.values.slice(-2)).toEqual(['handed over', 'copied']);
  });
});

describe('RaftNode: reads', () => {
  it('read() on a follower after a write resolves only once the follower reflects the write (ReadIndex, thesis §6.4)', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    const follower = cluster.member('c');
    // Cut c off so the write commits on a and b without c, then heal and read on c.
    cluster.network.isolate('c');
    expect(await cluster.clock.outcome(leader.node.propose(bytes('w')), 5_000)).toMatchObject({
      status: 'fulfilled',
    });
    expect(follower.stateMachine.values).toEqual([]);
    cluster.network.heal();
    const read = await cluster.clock.outcome(follower.node.read(), 5_000);
    expect(read.status).toBe('fulfilled');
    expect(follower.stateMachine.values).toEqual(['w']);
  });

  it('read() on the leader resolves after a heartbeat round', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    expect(await cluster.clock.outcome(leader.node.read(), 5_000)).toMatchObject({ status: 'fulfilled' });
  });

  it('read({ lease: true }) on a leader holding its lease resolves without a heartbeat round (thesis §6.4.1)', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.advance(200); // heartbeat rounds acknowledged: the lease holds
    const heartbeatsSince = (from: number) =>
      leader.transport.sent.slice(from).filter((message) => message.type === 'Heartbeat').length;
    const beforeLease = leader.transport.sent.length;
    let leaseRead = false;
    void leader.node.read({ lease: true }).then(() => {
      leaseRead = true;
    });
    for (let turn = 0; turn < 5; turn++) await settle(); // virtual time stands still: no tick heartbeats
    expect(leaseRead).toBe(true);
    expect(heartbeatsSince(beforeLease)).toBe(0);

    const beforeRound = leader.transport.sent.length;
    await leader.node.read(); // an ordinary read on the same leader asks for a round
    expect(heartbeatsSince(beforeRound)).toBeGreaterThan(0);
  });
});

describe('RaftNode: deadlines and cancellation', () => {
  it('a proposal that cannot commit rejects RAFT_TIMEOUT exactly at its deadline on the injected clock', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    cluster.network.isolate('a');
    const start = cluster.clock.now();
    const outcome = await cluster.clock.outcome(leader.node.propose(bytes('x'), { timeoutMs: 500 }), 2_000);
    expect(outcome.status).toBe('rejected');
    expect(errorCode(outcome.status === 'rejected' ? outcome.reason : undefined)).toBe('RAFT_TIMEOUT');
    // waitFor advances in 10 ms steps: the rejection came in the step that crossed the deadline.
    expect(cluster.clock.now() - start).toBeGreaterThanOrEqual(500);
    expect(cluster.clock.now() - start).toBeLessThan(520);
  });

  it('a read on an isolated follower rejects RAFT_TIMEOUT at the default deadline (10 election timeouts)', async () => {
    cluster = new TestCluster(IDS, { raft: { electionTicks: 10 } });
    await cluster.startWithLeader('a');
    cluster.network.isolate('b');
    const start = cluster.clock.now();
    const outcome = await cluster.clock.outcome(cluster.member('b').node.read(), 20_000);
    expect(outcome.status).toBe('rejected');
    const code = errorCode(outcome.status === 'rejected' ? outcome.reason : undefined);
    // The engine may refuse at once (no leader) or the deadline may pass; never a success.
    expect(['RAFT_TIMEOUT', 'RAFT_NOT_LEADER']).toContain(code);
    if (code === 'RAFT_TIMEOUT') expect(cluster.clock.now() - start).toBeGreaterThanOrEqual(10 * 10 * 100);
  });

  it('an aborted signal rejects the request with the signal reason', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    cluster.network.isolate('a');
    const controller = new AbortController();
    const reason = new Error('client went away');
    const promise = leader.node.propose(bytes('x'), { signal: controller.signal });
    controller.abort(reason);
    expect(await cluster.clock.outcome(promise, 100)).toEqual({ status: 'rejected', reason });
    const already = new AbortController();
    already.abort(reason);
    await expect(leader.node.read({ signal: already.signal })).rejects.toBe(reason);
  });
});

describe('RaftNode: lifecycle', () => {
  it('stop() rejects pending requests with RAFT_STOPPED, is idempotent, and refuses later requests', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    cluster.network.isolate('a');
    const proposal = leader.node.propose(bytes('x')).catch((error: unknown) => error);
    const read = leader.node.read().catch((error: unknown) => error);
    await cluster.clock.advance(50);
    await Promise.all([leader.node.stop(), leader.node.stop()]);
    expect(await proposal).toMatchObject({ code: 'RAFT_STOPPED' });
    expect(await read).toMatchObject({ code: 'RAFT_STOPPED' });
    await expect(leader.node.propose(bytes('y'))).rejects.toMatchObject({ code: 'RAFT_STOPPED' });
    await expect(leader.node.start()).rejects.toMatchObject({ code: 'RAFT_STOPPED' });
  });

  it('requests before start() reject RAFT_STOPPED and a stopped node ignores the cluster', async () => {
    cluster = new TestCluster(IDS);
    await expect(cluster.member('a').node.propose(bytes('x'))).rejects.toMatchObject({
      code: 'RAFT_STOPPED',
    });
    expect(() => cluster!.member('a').node.leader()).toThrow(
      expect.objectContaining({ code: 'RAFT_STOPPED' }),
    );
    await cluster.startWithLeader('a');
    const stopped = cluster.member('c');
    await stopped.node.stop();
    const termBefore = stopped.node.status().term;
    // a and b move to a new term; c hears nothing because it is stopped.
    expect(
      await cluster.clock.outcome(cluster.member('a').node.transferLeadership('b'), 5_000),
    ).toMatchObject({
      status: 'fulfilled',
    });
    await cluster.clock.advance(1_000);
    expect(stopped.node.status().term).toBe(termBefore);
  });

  it('a new node over the same storage re-applies the committed log to a fresh state machine', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    for (const text of ['p', 'q', 'r']) {
      expect(await cluster.clock.outcome(leader.node.propose(bytes(text)), 5_000)).toMatchObject({
        status: 'fulfilled',
      });
    }
    await cluster.clock.waitFor(
      () => IDS.every((id) => cluster?.member(id).stateMachine.values.length === 3),
      5_000,
      'every node to apply',
    );
    await cluster.stop();
    for (const id of IDS) cluster.restart(id);
    await cluster.start();
    await cluster.clock.waitFor(
      () => IDS.every((id) => cluster?.member(id).stateMachine.values.join() === 'p,q,r'),
      10_000,
      'every restarted node to re-apply p,q,r',
    );
    await cluster.clock.waitFor(() => cluster?.leaderId() !== undefined, 10_000, 'a leader after restart');
    const newLeader = cluster.member(cluster.leaderId()!);
    expect(await cluster.clock.outcome(newLeader.node.propose(bytes('s')), 5_000)).toMatchObject({
      status: 'fulfilled',
    });
    expect(newLeader.stateMachine.values).toEqual(['p', 'q', 'r', 's']);
  });
});

describe('RaftNode: leadership transfer', () => {
  it('transferLeadership resolves once this node sees the target as leader', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    const outcome = await cluster.clock.outcome(leader.node.transferLeadership('b'), 5_000);
    expect(outcome.status).toBe('fulfilled');
    expect(leader.node.status().leader).toBe('b');
    expect(cluster.member('b').node.status().role).toBe('leader');
    // leader() is status().leader without the rest of the status, on every member.
    for (const id of IDS) expect(cluster.member(id).node.leader()).toBe('b');
  });

  it('transferLeadership on a follower rejects RAFT_NOT_LEADER with the leader hint', async () => {
    cluster = new TestCluster(IDS);
    await cluster.startWithLeader('a');
    await expect(cluster.member('b').node.transferLeadership('c')).rejects.toMatchObject({
      code: 'RAFT_NOT_LEADER',
      leaderHint: 'a',
    });
  });

  it('transferLeadership to an unreachable node rejects RAFT_TIMEOUT', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    cluster.network.isolate('c');
    const outcome = await cluster.clock.outcome(
      leader.node.transferLeadership('c', { timeoutMs: 3_000 }),
      5_000,
    );
    expect(outcome.status).toBe('rejected');
    expect(errorCode(outcome.status === 'rejected' ? outcome.reason : undefined)).toBe('RAFT_TIMEOUT');
  });
});

describe('RaftNode: observer', () => {
  it('reports role changes, persists, applies and settled proposals to the observer', async () => {
    const events: RaftEvent[] = [];
    cluster = new TestCluster(IDS, {
      observer: (id) => (id === 'a' ? (event) => events.push(event) : undefined),
    });
    const leader = await cluster.startWithLeader('a');
    expect(await cluster.clock.outcome(leader.node.propose(bytes('x')), 5_000)).toMatchObject({
      status: 'fulfilled',
    });
    const types = new Set(events.map((event) => event.type));
    for (const type of [
      'role-changed',
      'persisted',
      'committed',
      'applied',
      'messages-sent',
      'messages-received',
    ]) {
      expect(types).toContain(type);
    }
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'role-changed', role: 'leader', leader: 'a' }),
    );
    expect(events).toContainEqual(expect.objectContaining({ type: 'proposals-settled', outcome: 'applied' }));
  });
});
