import { describe, expect, it } from 'vitest';
import { EngineCluster } from '../engine-harness.js';
import {
  appendAck,
  appendEntries,
  bytes,
  clusterWithLogs,
  drain,
  entry,
  heartbeat,
  makeLeader,
  newRaft,
  ofType,
  persistedTerms,
  rejectionsSent,
  termsOf,
  text,
} from './replication-support.js';

const ABC = ['a', 'b', 'c'];

describe('Raft §5.3 log replication: the leader side', () => {
  it('a leader appends a proposal to its log and sends it to every follower', () => {
    // Raft §5.3: "The leader appends the command to its log as a new entry, then issues AppendEntries
    // RPCs in parallel to each of the other servers to replicate the entry."
    const leader = makeLeader('a', ABC);
    leader.step(appendAck('b', 'a', 2, 2));
    leader.step(appendAck('c', 'a', 2, 2));
    drain(leader);
    leader.propose(1, bytes('x'));
    const out = drain(leader);

    expect(out.entries.map((e) => [e.index, e.term, text(e)])).toEqual([[3, 2, 'x']]);
    expect(out.proposalOutcomes).toEqual([{ proposalId: 1, accepted: true, index: 3, term: 2 }]);
    const appends = ofType(out.messages, 'AppendEntries');
    expect(appends.map((m) => [m.to, m.prevLogIndex, m.prevLogTerm, m.entries.map(text)])).toEqual([
      ['b', 2, 2, ['x']],
      ['c', 2, 2, ['x']],
    ]);
  });

  it('an entry is committed once a majority has persisted it, and not before', () => {
    // Raft §5.3: "A log entry is committed once the leader that created the entry has replicated it on a
    // majority of the servers." Five voters: the leader plus two acknowledgements are needed.
    const leader = makeLeader('a', ['a', 'b', 'c', 'd', 'e']);
    leader.propose(1, bytes('x'));
    drain(leader);

    leader.step(appendAck('b', 'a', 2, 3));
    expect(drain(leader).committedEntries).toEqual([]);
    expect(leader.status().commitIndex).toBe(1);

    leader.step(appendAck('c', 'a', 2, 3));
    const out = drain(leader);
    expect(leader.status().commitIndex).toBe(3);
    expect(out.committedEntries.map((e) => e.index)).toEqual([2, 3]);
  });

  it('a committed entry is eventually applied on every node, in log order', () => {
    // Raft §5.3: once committed, "the leader applies the entry to its state machine"; followers apply it
    // when they learn it is committed (Figure 2, "Rules for Servers: All Servers").
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.propose('a', 'x', 1);
    cluster.propose('a', 'y', 2);
    for (const id of ABC) expect(cluster.appliedText(id)).toEqual(['x', 'y']);
  });

  it("the leader's commit index reaches followers in the next AppendEntries (leaderCommit)", () => {
    // Raft §5.3: "The leader keeps track of the highest index it knows to be committed, and it includes
    // that index in future AppendEntries RPCs ... Once a follower learns that a log entry is committed,
    // it applies the entry to its local state machine."
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.propose('a', 'x');
    const leaderCommit = cluster.raft('a').status().commitIndex;
    expect(leaderCommit).toBe(3);
    const commits = cluster
      .node('a')
      .sent.map(({ message }) => message)
      .filter((m) => m.type === 'AppendEntries' && m.to === 'b')
      .map((m) => (m.type === 'AppendEntries' ? m.leaderCommit : -1));
    expect(commits).toContain(3);
    expect(cluster.raft('b').status().commitIndex).toBe(3);
    expect(cluster.node('b').hardState.commit).toBe(3);
  });

  it("a heartbeat carries the commit index, but never past the follower's match index", () => {
    // Raft §5.3 (commit index in every AppendEntries, heartbeats included); etcd's rule that the commit
    // sent to a follower is min(match, commit), so a follower never commits an entry it may not hold.
    const leader = makeLeader('a', ABC);
    leader.propose(1, bytes('x'));
    drain(leader);
    leader.step(appendAck('b', 'a', 2, 3));
    drain(leader);
    expect(leader.status().commitIndex).toBe(3);

    leader.tick();
    const heartbeats = ofType(drain(leader).messages, 'Heartbeat');
    const progress = leader.status().progress;
    for (const to of ['b', 'c']) {
      const sent = heartbeats.find((m) => m.to === to);
      expect(sent?.commit).toBe(Math.min(progress.get(to)!.match, 3));
    }
    expect(heartbeats.find((m) => m.to === 'c')?.commit).toBe(0);
  });

  it('a leader counts itself toward commit only for entries it has persisted', () => {
    // Thesis §10.2.1: the leader may send before its own write completes, but then it must not count its
    // own copy until the write is durable: only a majority of durable copies makes an entry committed.
    const leader = makeLeader('a', ABC);
    leader.propose(1, bytes('x'));
    const ready = leader.ready(); // handed to storage, not yet durable
    expect(ready.entries.map((e) => e.index)).toEqual([3]);

    // b holds index 3 but the leader's copy is not durable: only the no-op (2) has two durable copies.
    leader.step(appendAck('b', 'a', 2, 3));
    expect(leader.status().commitIndex).toBe(2);

    leader.advance(ready);
    expect(leader.status().commitIndex).toBe(3);
  });

  it("the leader's AppendEntries go out in `messages`, before its own write (thesis §10.2.1)", () => {
    // Thesis §10.2.1: the leader can write to its disk in parallel with replicating to followers.
    const leader = makeLeader('a', ABC);
    leader.step(appendAck('b', 'a', 2, 2)); // b now replicates: new entries go out at once
    drain(leader);
    leader.propose(1, bytes('x'));
    const ready = leader.ready();
    expect(ready.entries.map(text)).toEqual(['x']);
    const appends = ofType(ready.messages, 'AppendEntries').filter((m) =>
      m.entries.some((e) => text(e) === 'x'),
    );
    expect(appends.map((m) => m.to)).toEqual(['b']);
    expect(ofType(ready.persistedMessages, 'AppendEntries')).toEqual([]);
    leader.advance(ready);
  });

  it('several proposals made before one Ready land in that Ready as one write (group commit)', () => {
    // Thesis §10.2.1 batching: everything proposed between two Ready batches is persisted in one write.
    const leader = makeLeader('a', ABC);
    for (let id = 1; id <= 3; id++) leader.propose(id, bytes(`p${id}`));
    const ready = leader.ready();
    expect(ready.entries.map(text)).toEqual(['p1', 'p2', 'p3']);
    expect(ready.proposalOutcomes.map((o) => o.accepted)).toEqual([true, true, true]);
    leader.advance(ready);
  });
});

describe('Raft §5.3 log replication: the follower side', () => {
  it('a follower acknowledges an append only after persisting it (persistedMessages)', () => {
    // Raft Figure 2: servers respond to RPCs only after updating stable storage.
    const follower = newRaft('b', ABC);
    follower.step(
      appendEntries({ from: 'a', to: 'b', term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: [entry(2, 2)] }),
    );
    const ready = follower.ready();
    expect(ready.entries.map((e) => e.index)).toEqual([2]);
    expect(ofType(ready.messages, 'AppendEntriesResponse')).toEqual([]);
    expect(ofType(ready.persistedMessages, 'AppendEntriesResponse')).toMatchObject([
      { to: 'a', success: true, matchIndex: 2 },
    ]);
    follower.advance(ready);

    // The same holds end to end: every acknowledgement a follower sent waited for its write.
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.propose('a', 'x');
    const acks = cluster.node('b').sent.filter(({ message }) => message.type === 'AppendEntriesResponse');
    expect(acks.length).toBeGreaterThan(0);
    expect(acks.every(({ afterPersist }) => afterPersist)).toBe(true);
  });

  it('a follower applies only committed entries', () => {
    // Raft §5.3: a follower applies an entry once it learns the entry is committed (leaderCommit).
    const follower = newRaft('b', ABC);
    follower.step(
      appendEntries({
        from: 'a',
        to: 'b',
        term: 2,
        prevLogIndex: 1,
        prevLogTerm: 1,
        entries: [entry(2, 2, 'x'), entry(3, 2, 'y')],
        leaderCommit: 1,
      }),
    );
    expect(drain(follower).committedEntries).toEqual([]);

    follower.step(
      appendEntries({
        from: 'a',
        to: 'b',
        term: 2,
        prevLogIndex: 3,
        prevLogTerm: 2,
        entries: [],
        leaderCommit: 2,
      }),
    );
    expect(drain(follower).committedEntries.map(text)).toEqual(['x']);
    expect(follower.status().commitIndex).toBe(2);
  });

  it('a follower learns the commit index from a heartbeat', () => {
    // Raft §5.3: the commit index travels in every AppendEntries, including the empty ones (heartbeats).
    const follower = newRaft('b', ABC, { terms: [1, 2, 2], term: 2 });
    follower.step(heartbeat('a', 'b', 2, 3));
    expect(drain(follower).committedEntries.map((e) => e.index)).toEqual([2, 3]);
  });

  it('the consistency check rejects an append whose previous entry is missing', () => {
    // Raft §5.3: "If the follower does not find an entry in its log with the same index and term, then it
    // refuses the new entries."
    const follower = newRaft('b', ABC);
    follower.step(
      appendEntries({ from: 'a', to: 'b', term: 2, prevLogIndex: 3, prevLogTerm: 2, entries: [entry(4, 2)] }),
    );
    const out = drain(follower);
    expect(ofType(out.persistedMessages, 'AppendEntriesResponse')).toMatchObject([
      { success: false, rejectedIndex: 3 },
    ]);
    expect(termsOf(follower.inspect().entries)).toEqual([1]);
  });

  it('the consistency check rejects an append whose previous entry has another term', () => {
    // Raft §5.3: the check compares index *and* term of the preceding entry.
    const follower = newRaft('b', ABC, { terms: [1, 2, 2], term: 2 });
    follower.step(
      appendEntries({ from: 'a', to: 'b', term: 3, prevLogIndex: 3, prevLogTerm: 3, entries: [entry(4, 3)] }),
    );
    const out = drain(follower);
    expect(ofType(out.persistedMessages, 'AppendEntriesResponse')).toMatchObject([
      { success: false, rejectedIndex: 3 },
    ]);
    expect(termsOf(follower.inspect().entries)).toEqual([1, 2, 2]);
  });

  it("a follower deletes a conflicting uncommitted suffix and appends the leader's entries", () => {
    // Raft §5.3 / Figure 2 (AppendEntries step 3): "If an existing entry conflicts with a new one (same
    // index but different terms), delete the existing entry and all that follow it."
    const follower = newRaft('b', ABC, { terms: [1, 2, 2, 2], term: 2 });
    follower.step(
      appendEntries({
        from: 'a',
        to: 'b',
        term: 3,
        prevLogIndex: 2,
        prevLogTerm: 2,
        entries: [entry(3, 3, 'new')],
      }),
    );
    const out = drain(follower);
    expect(termsOf(follower.inspect().entries)).toEqual([1, 2, 3]);
    // Storage is told to replace index 3 onwards with the leader's entry.
    expect(out.entries.map((e) => [e.index, e.term])).toEqual([[3, 3]]);
    expect(ofType(out.persistedMessages, 'AppendEntriesResponse')).toMatchObject([
      { success: true, matchIndex: 3 },
    ]);
  });

  it('a follower keeps entries that match: an old, shorter append truncates nothing', () => {
    // Raft Figure 2 (AppendEntries step 3) deletes only on a conflict; a delayed append must not erase
    // entries the follower already acknowledged to the same leader.
    const follower = newRaft('b', ABC, { terms: [1, 2, 2], term: 2 });
    follower.step(
      appendEntries({
        from: 'a',
        to: 'b',
        term: 2,
        prevLogIndex: 1,
        prevLogTerm: 1,
        entries: [entry(2, 2, 'i2')],
      }),
    );
    const out = drain(follower);
    expect(termsOf(follower.inspect().entries)).toEqual([1, 2, 2]);
    expect(out.entries).toEqual([]);
  });
});

describe('Raft §5.3 repairing divergent followers', () => {
  it('the leader backs up and repairs every follower of Figure 7; all converge to its log', () => {
    // Raft §5.3, Figure 7: followers (a)-(b) miss entries, (c)-(d) hold extra uncommitted entries, (e)-(f)
    // both. "The leader handles inconsistencies by forcing the followers' logs to duplicate its own."
    const ids = ['l', 'a', 'b', 'c', 'd', 'e', 'f'];
    const cluster = clusterWithLogs(ids, {
      l: { terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6], term: 7 },
      a: { terms: [1, 1, 1, 4, 4, 5, 5, 6, 6], term: 7 },
      b: { terms: [1, 1, 1, 4], term: 7 },
      c: { terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6], term: 7 },
      d: { terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], term: 7 },
      e: { terms: [1, 1, 1, 4, 4, 4, 4], term: 7 },
      f: { terms: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], term: 7 },
    });
    cluster.elect('l');
    expect(cluster.leaders()).toEqual(['l']);
    // Followers repaired after the commit learn the commit index from the next heartbeat.
    cluster.tick();

    const expected = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8]; // plus the new leader's no-op of term 8
    for (const id of ids) {
      expect(termsOf(cluster.raft(id).inspect().entries), id).toEqual(expected);
      expect(persistedTerms(cluster, id), id).toEqual(expected);
      expect(cluster.raft(id).status().commitIndex, id).toBe(11);
    }
  });

  it.each([2, 40])(
    'fast backtracking: round trips grow with conflicting terms, not entries (%i entries per term)',
    (perTerm) => {
      // Raft §5.3 optimisation: "the follower can include the term of the conflicting entry and the first
      // index it stores for that term", so one rejection per conflicting term, not per entry.
      const run = (t: number) => Array<number>(perTerm).fill(t);
      const leaderLog = [1, ...run(2), ...run(4), ...run(6)];
      const cluster = clusterWithLogs(['l', 'f', 'g'], {
        l: { terms: leaderLog, term: 6 },
        g: { terms: leaderLog, term: 6 },
        // Two conflicting terms (3 and 5) after a common prefix of term 2.
        f: { terms: [1, ...run(2), ...run(3), ...run(5)], term: 6 },
      });
      cluster.elect('l');
      expect(persistedTerms(cluster, 'f')).toEqual([...leaderLog, 7]);
      expect(rejectionsSent(cluster, 'f')).toBe(2);
    },
  );

  it.each([2, 40])(
    'fast backtracking: a follower far behind is found in one rejection (%i missing entries)',
    (missing) => {
      // Raft §5.3: the rejection hint tells the leader where the follower's log ends.
      const leaderLog = [1, ...Array<number>(missing).fill(2)];
      const cluster = clusterWithLogs(['l', 'f', 'g'], {
        l: { terms: leaderLog, term: 2 },
        g: { terms: leaderLog, term: 2 },
        f: { terms: [1], term: 2 },
      });
      cluster.elect('l');
      expect(persistedTerms(cluster, 'f')).toEqual([...leaderLog, 3]);
      expect(rejectionsSent(cluster, 'f')).toBe(1);
    },
  );
});
