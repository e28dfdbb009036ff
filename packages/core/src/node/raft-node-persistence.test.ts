import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../engine/messages.js';
import type { PersistBatch } from '../interfaces/storage.js';
import { memoryStorage } from '../memory/memory-storage.js';
import { bytes, DeferringClock, TestCluster, VirtualClock } from './node-harness.test-support.js';

// The driver's side of the Ready contract: what is written, in how many writes, and what may be sent
// before and after each write. All on virtual time.
const IDS = ['a', 'b', 'c'] as const;

let cluster: TestCluster | undefined;
afterEach(async () => {
  for (const member of cluster?.members.values() ?? []) member.storage.release();
  await cluster?.stop();
  cluster = undefined;
});

const decoder = new TextDecoder();

describe('RaftNode: group commit', () => {
  it('proposals made while a write is in flight all go into the next single persist call', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.advance(200);
    const storage = leader.storage;
    storage.hold();
    const first = leader.node.propose(bytes('first'));
    await cluster.clock.advance(0);
    expect(storage.inFlight).toBe(1);
    const callsWhileHeld = storage.batches.length;
    const rest = ['r1', 'r2', 'r3', 'r4', 'r5'].map((text) => leader.node.propose(bytes(text)));
    await cluster.clock.advance(0);
    // One batch in flight at a time: nothing else is written while the first write is open.
    expect(storage.batches.length).toBe(callsWhileHeld);
    expect(storage.inFlight).toBe(1);
    storage.release();
    const outcomes = await Promise.all(
      [first, ...rest].map((promise) => cluster!.clock.outcome(promise, 5_000)),
    );
    expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    const next = storage.batches[callsWhileHeld];
    expect(next?.entries.map((entry) => decoder.decode(entry.data))).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(leader.stateMachine.values).toEqual(['first', 'r1', 'r2', 'r3', 'r4', 'r5']);
  });

  /** A leader of a fresh cluster on `clock`, which then proposes p1, p2 and p3 in one synchronous run. */
  async function proposeThreeAtOnce(clock: VirtualClock) {
    cluster = new TestCluster(IDS, { clock });
    const leader = await cluster.startWithLeader('a');
    await clock.advance(200);
    const before = leader.storage.batches.length;
    const deferredBefore = clock instanceof DeferringClock ? clock.deferred : 0;
    const proposals = ['p1', 'p2', 'p3'].map((text) => leader.node.propose(bytes(text)));
    const written = (at: number) =>
      leader.storage.batches[before + at]?.entries.map((e) => decoder.decode(e.data));
    const settled = async () => {
      const outcomes = await Promise.all(proposals.map((promise) => clock.outcome(promise, 5_000)));
      expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    };
    return { written, settled, deferredBefore };
  }

  it('with a deferring clock, proposals made in one turn of the event loop share one write', async () => {
    const clock = new DeferringClock();
    const { written, settled, deferredBefore } = await proposeThreeAtOnce(clock);
    // Nothing is written inside the callback that made the proposals; the batch waits for the turn's end.
    expect(written(0)).toBeUndefined();
    expect(clock.deferred).toBe(deferredBefore + 1);
    await settled();
    expect(written(0)).toEqual(['p1', 'p2', 'p3']);
  });

  it('without defer, the first proposal is written at once and the others wait for that write', async () => {
    const { written, settled } = await proposeThreeAtOnce(new VirtualClock());
    expect(written(0)).toEqual(['p1']);
    await settled();
    expect(written(1)).toEqual(['p2', 'p3']);
  });

  it('a batch with nothing to persist makes no persist call', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.advance(500);
    expect(
      leader.storage.batches.every((batch) => batch.hardState !== undefined || batch.entries.length > 0),
    ).toBe(true);
  });
});

describe('RaftNode: persist before acknowledging (Raft §5.1, Figure 2)', () => {
  it('a follower sends its append acknowledgement only after the write it vouches for resolved', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.advance(200);
    const follower = cluster.member('b');
    const trace: string[] = [];
    follower.storage.onPersisted = (batch) => {
      for (const entry of batch.entries) trace.push(`persisted ${entry.index}`);
    };
    follower.transport.onSend = (messages: readonly Message[]) => {
      for (const message of messages) {
        if (message.type === 'AppendEntriesResponse' && message.success)
          trace.push(`ack ${message.matchIndex}`);
      }
    };
    follower.storage.hold();
    const proposal = leader.node.propose(bytes('x'));
    const index = leader.node.inspect().status.lastIndex;
    await cluster.clock.advance(300);
    expect(follower.storage.inFlight).toBe(1);
    expect(trace.filter((line) => line === `ack ${index}`)).toEqual([]);
    // The other follower's acknowledgement is enough to commit meanwhile.
    expect(await cluster.clock.outcome(proposal, 5_000)).toMatchObject({ status: 'fulfilled' });
    follower.storage.release();
    await cluster.clock.waitFor(() => trace.includes(`ack ${index}`), 1_000, `b to acknowledge ${index}`);
    expect(trace.indexOf(`persisted ${index}`)).toBeGreaterThanOrEqual(0);
    expect(trace.indexOf(`persisted ${index}`)).toBeLessThan(trace.indexOf(`ack ${index}`));
  });

  it('a leader sends its appends while its own write is still in flight (thesis §10.2.1)', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.advance(200);
    leader.storage.hold();
    const sentBefore = leader.transport.sent.length;
    const proposal = leader.node.propose(bytes('x'));
    await cluster.clock.advance(0);
    expect(leader.storage.inFlight).toBe(1);
    const appends = leader.transport.sent
      .slice(sentBefore)
      .filter((message) => message.type === 'AppendEntries' && message.entries.length > 0);
    expect(appends.length).toBeGreaterThan(0);
    leader.storage.release();
    expect(await cluster.clock.outcome(proposal, 5_000)).toMatchObject({ status: 'fulfilled' });
  });

  it('a vote is granted only after the vote is persisted', async () => {
    cluster = new TestCluster(IDS);
    await cluster.start();
    const traces = new Map<string, string[]>();
    for (const id of ['b', 'c']) {
      const voter = cluster.member(id);
      const trace: string[] = [];
      traces.set(id, trace);
      voter.storage.onPersisted = (batch) => {
        if (batch.hardState !== undefined) trace.push(`persisted vote=${batch.hardState.vote}`);
      };
      voter.transport.onSend = (messages) => {
        for (const message of messages) {
          if (message.type === 'RequestVoteResponse' && !message.preVote && message.granted)
            trace.push('granted');
        }
      };
    }
    cluster.member('a').node.campaign();
    await cluster.clock.waitFor(() => cluster?.leaderId() === 'a', 5_000, 'a to lead');
    let grants = 0;
    for (const trace of traces.values()) {
      const granted = trace.indexOf('granted');
      if (granted < 0) continue;
      grants++;
      expect(trace.slice(0, granted)).toContain('persisted vote=a');
    }
    expect(grants).toBeGreaterThan(0);
  });
});

describe('RaftNode: what is written, and applying around the write (Figure 2)', () => {
  it('a batch that only moves the commit index is not written; the next write carries it', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.advance(300);
    const storage = leader.storage;
    const text = (batch: PersistBatch | undefined) =>
      batch?.entries.map((entry) => decoder.decode(entry.data));
    expect(await cluster.clock.outcome(leader.node.propose(bytes('x')), 50)).toMatchObject({
      status: 'fulfilled',
    });
    // `x` is committed and applied, and nothing was written for its commit index alone.
    const xIndex = leader.node.inspect().status.commitIndex;
    expect(text(storage.batches.at(-1))).toEqual(['x']);
    expect(storage.batches.at(-1)?.hardState?.commit ?? 0).toBeLessThan(xIndex);
    expect(await cluster.clock.outcome(leader.node.propose(bytes('y')), 50)).toMatchObject({
      status: 'fulfilled',
    });
    const yWrite = storage.batches.find((batch) => text(batch)?.includes('y'));
    expect(yWrite?.hardState?.commit).toBe(xIndex);
  });

  it('a commit index left unwritten is written on its own after a whole tick, and on stop', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.advance(300);
    const storage = leader.storage;
    await cluster.clock.outcome(leader.node.propose(bytes('x')), 50);
    const xIndex = leader.node.inspect().status.commitIndex;
    const before = storage.batches.length;
    await cluster.clock.advance(250);
    const flushed = storage.batches.slice(before);
    expect(flushed).toEqual([
      { hardState: { term: expect.any(Number), vote: 'a', commit: xIndex }, entries: [] },
    ]);

    await cluster.clock.outcome(leader.node.propose(bytes('y')), 50);
    const yIndex = leader.node.inspect().status.commitIndex;
    await leader.node.stop();
    expect(storage.batches.at(-1)).toEqual({
      hardState: expect.objectContaining({ commit: yIndex }),
      entries: [],
    });
    const reopened = await memoryStorage({ initial: storage.inner.contents() }).load();
    expect(reopened.hardState.commit).toBe(yIndex);
  });

  it('entries committed by earlier writes are applied and answered while the next write is in flight', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.advance(200);
    const storage = leader.storage;
    storage.hold();
    const first = leader.node.propose(bytes('first'));
    // The followers acknowledge `first` while the leader's own write of it is held; then they hold
    // their writes, so `second` cannot commit without this node.
    await cluster.clock.advance(50);
    const followers = [cluster.member('b'), cluster.member('c')];
    for (const follower of followers) follower.storage.hold();
    const second = leader.node.propose(bytes('second'));
    await cluster.clock.advance(0);
    // Let the write of `first` finish, and hold the next one: it carries `second` and the commit of `first`.
    storage.release();
    storage.hold();
    expect(await cluster.clock.outcome(first, 1_000)).toMatchObject({ status: 'fulfilled' });
    expect(storage.inFlight).toBe(1);
    const held = storage.batches.at(-1);
    expect(held?.entries.map((entry) => decoder.decode(entry.data))).toEqual(['second']);
    expect(leader.stateMachine.values).toEqual(['first']);
    storage.release();
    for (const follower of followers) follower.storage.release();
    expect(await cluster.clock.outcome(second, 5_000)).toMatchObject({ status: 'fulfilled' });
    expect(leader.stateMachine.values).toEqual(['first', 'second']);
  });
});

describe('RaftNode: applying while a write is in flight', () => {
  it('entries that commit while the leader writes a later batch are applied and answered before that write ends', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.advance(200);
    // The followers hold their writes: the leader writes `first` itself, but nothing commits yet.
    const followers = [cluster.member('b'), cluster.member('c')];
    for (const follower of followers) follower.storage.hold();
    let firstSettled = false;
    const first = leader.node.propose(bytes('first'));
    void first.finally(() => {
      firstSettled = true;
    });
    await cluster.clock.advance(50);
    expect(leader.storage.inFlight).toBe(0);
    expect(firstSettled).toBe(false);
    // The leader's next write is held. The followers' writes complete and their acknowledgements
    // commit `first`, which this node made durable in its previous write.
    leader.storage.hold();
    const second = leader.node.propose(bytes('second'));
    await cluster.clock.advance(0);
    expect(leader.storage.inFlight).toBe(1);
    for (const follower of followers) follower.storage.release();
    await cluster.clock.advance(50);
    expect(leader.storage.inFlight).toBe(1);
    expect(firstSettled).toBe(true);
    expect(await cluster.clock.outcome(first, 0)).toMatchObject({ status: 'fulfilled' });
    // `second` too: both followers wrote it, a quorum without this node, so it is applied and answered
    // while this node's own write of it is still held (thesis §10.2.1).
    expect(await cluster.clock.outcome(second, 0)).toMatchObject({ status: 'fulfilled' });
    expect(leader.stateMachine.values).toEqual(['first', 'second']);
    expect(leader.storage.inFlight).toBe(1);
    expect(leader.storage.batches.at(-1)?.entries.map((entry) => decoder.decode(entry.data))).toEqual([
      'second',
    ]);
    leader.storage.release();
    await cluster.clock.advance(50);
    expect(leader.stateMachine.values).toEqual(['first', 'second']);
  });

  it("an entry only one follower wrote waits for the leader's own write", async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.advance(200);
    cluster.member('c').storage.hold();
    leader.storage.hold();
    const proposal = leader.node.propose(bytes('only-b'));
    await cluster.clock.advance(50);
    // b's write and the leader's held one: b alone is no quorum, so nothing is applied yet.
    expect(leader.storage.inFlight).toBe(1);
    expect(leader.stateMachine.values).toEqual([]);
    leader.storage.release();
    expect(await cluster.clock.outcome(proposal, 1_000)).toMatchObject({ status: 'fulfilled' });
    expect(leader.stateMachine.values).toEqual(['only-b']);
    cluster.member('c').storage.release();
  });
});
