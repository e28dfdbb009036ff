import { describe, expect, it } from 'vitest';
import type { InstallSnapshot, Message } from '../../src/engine/messages.js';
import { Raft } from '../../src/engine/raft.js';
import type { Entry, SnapshotMeta } from '../../src/engine/types.js';
import { bootstrapEntry, EngineCluster, seededRandom } from '../engine-harness.js';

const CONFIG = { voters: ['a', 'b', 'c'], outgoingVoters: [], learners: [] };
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/** `a` leads a 3-node cluster, `c` is cut off while `count` entries commit, then `a` compacts. */
function leaderCompactedPastC(count: number): EngineCluster {
  const cluster = new EngineCluster(['a', 'b', 'c']);
  cluster.elect('a');
  cluster.isolate('c');
  for (let i = 0; i < count; i++) cluster.propose('a', `v${i}`, i + 1);
  cluster.heal();
  cluster.isolate('c');
  const a = cluster.raft('a');
  const applied = a.status().appliedIndex;
  a.snapshotSaved({ index: applied, term: a.term, config: CONFIG });
  a.compact(applied - 2);
  return cluster;
}

function chunk(from: string, to: string, term: number, meta: SnapshotMeta, offset = 0): InstallSnapshot {
  return {
    type: 'InstallSnapshot',
    from,
    to,
    term,
    meta,
    transferId: 1,
    offset,
    data: text('x'),
    done: false,
  };
}

function follower(entries: Entry[], term: number, commit: number): Raft {
  return new Raft({ id: 'c', random: seededRandom(3) }, { hardState: { term, vote: '', commit }, entries });
}

function entry(index: number, term: number): Entry {
  return { index, term, type: 'normal', data: text(`e${index}`) };
}

describe('Raft §7 log compaction and InstallSnapshot (engine)', () => {
  it('compaction keeps the entries the snapshot does not cover and never goes past what is applied', () => {
    const cluster = leaderCompactedPastC(10);
    const a = cluster.raft('a');
    const status = a.status();
    expect(a.inspect().firstIndex).toBe(status.appliedIndex - 1);
    // Clamped: nothing beyond the snapshot or the applied index is ever discarded.
    expect(a.compact(status.lastIndex + 5)).toBe(status.appliedIndex);
  });

  it('compaction is clamped to the snapshot and to applied entries, whatever index is asked for', () => {
    const c = follower(
      [bootstrapEntry(['a', 'b', 'c']), entry(2, 1), entry(3, 1), entry(4, 1), entry(5, 1)],
      1,
      4,
    );
    c.advance(c.ready()); // applies through the commit index (4)
    c.snapshotSaved({ index: 3, term: 1, config: CONFIG });
    expect(c.compact(5)).toBe(3);
    expect(c.inspect().firstIndex).toBe(4);
    expect(c.inspect().entries.map((e) => e.index)).toEqual([4, 5]);
  });

  it('a leader asks for a snapshot for a follower that needs compacted entries, and sends it no appends', () => {
    const cluster = leaderCompactedPastC(10);
    cluster.heal();
    cluster.tick(2);
    const a = cluster.node('a');
    expect(a.snapshotRequests.map((request) => request.to)).toEqual(['c']);
    expect(a.raft.status().progress.get('c')?.state).toBe('snapshot');
    const appendsToC = () =>
      a.sent.filter(({ message }) => message.type === 'AppendEntries' && message.to === 'c');
    const before = appendsToC().length;
    cluster.tick(3);
    expect(appendsToC().length).toBe(before);
    // Heartbeats still flow: a follower receiving a snapshot must not time out.
    expect(a.sent.some(({ message }) => message.type === 'Heartbeat' && message.to === 'c')).toBe(true);
  });

  it('after a reported success the leader probes right after the snapshot; after a failure it waits a heartbeat', () => {
    const cluster = leaderCompactedPastC(10);
    cluster.heal();
    cluster.tick(1);
    const a = cluster.raft('a');
    const snapshotIndex = a.snapshot!.index;
    a.reportSnapshot('c', false);
    expect(a.status().progress.get('c')?.state).toBe('probe');
    cluster.deliver();
    expect(cluster.node('a').snapshotRequests.length).toBe(1);
    cluster.tick(1);
    // The heartbeat answer lets it probe again, which finds the entries still compacted: a new request.
    expect(cluster.node('a').snapshotRequests.length).toBe(2);
    a.reportSnapshot('c', true);
    const probe = a
      .ready()
      .messages.find(
        (m): m is Extract<Message, { type: 'AppendEntries' }> => m.type === 'AppendEntries' && m.to === 'c',
      );
    expect(probe?.prevLogIndex).toBe(snapshotIndex);
  });

  it('a follower answers a chunk from a stale term with its own term, so the old leader steps down', () => {
    const c = follower([bootstrapEntry(['a', 'b', 'c'])], 5, 1);
    const stale = chunk('a', 'c', 4, { index: 9, term: 4, config: CONFIG });
    c.step(stale);
    expect(c.wantsSnapshot(stale)).toBe(false);
    const reply = c.ready().persistedMessages[0];
    expect(reply).toMatchObject({ type: 'AppendEntriesResponse', term: 5, success: false });
  });

  it('chunks from the current leader keep the follower from campaigning however long the transfer takes', () => {
    const c = follower([bootstrapEntry(['a', 'b', 'c'])], 2, 1);
    const meta = { index: 50, term: 2, config: CONFIG };
    for (let tick = 0; tick < 100; tick++) {
      c.tick();
      if (tick % 5 === 0) c.step(chunk('a', 'c', 2, meta, tick));
    }
    expect(c.status().role).toBe('follower');
    expect(c.status().leader).toBe('a');
    expect(c.wantsSnapshot(chunk('a', 'c', 2, meta))).toBe(true);
  });

  it('installing keeps the entries after a snapshot whose last entry the log holds with the same term', () => {
    const c = follower(
      [bootstrapEntry(['a', 'b', 'c']), entry(2, 2), entry(3, 2), entry(4, 2), entry(5, 2)],
      2,
      1,
    );
    c.step(chunk('a', 'c', 2, { index: 3, term: 2, config: CONFIG }));
    c.ready();
    expect(c.restoreSnapshot({ index: 3, term: 2, config: CONFIG })).toBe(true);
    const inspection = c.inspect();
    expect(inspection.firstIndex).toBe(4);
    expect(inspection.entries.map((e) => e.index)).toEqual([4, 5]);
    expect(c.status().commitIndex).toBe(3);
    expect(c.status().appliedIndex).toBe(3);
    expect(c.ready().persistedMessages).toMatchObject([
      { type: 'AppendEntriesResponse', to: 'a', success: true, matchIndex: 3 },
    ]);
  });

  it('installing discards the whole log when it disagrees with the snapshot, and takes its configuration', () => {
    const c = follower([bootstrapEntry(['a', 'b', 'c']), entry(2, 1), entry(3, 1), entry(4, 1)], 2, 1);
    const config = { voters: ['a', 'b', 'c', 'd'], outgoingVoters: [], learners: [] };
    c.step(chunk('a', 'c', 2, { index: 3, term: 2, config }));
    c.ready();
    expect(c.restoreSnapshot({ index: 3, term: 2, config })).toBe(true);
    expect(c.inspect().entries).toEqual([]);
    expect(c.status().lastIndex).toBe(3);
    expect(c.status().config).toEqual(config);
    c.ready();
    // The next append continues right after the snapshot.
    c.step({
      type: 'AppendEntries',
      from: 'a',
      to: 'c',
      term: 2,
      prevLogIndex: 3,
      prevLogTerm: 2,
      entries: [entry(4, 2)],
      leaderCommit: 4,
    });
    expect(c.ready().persistedMessages).toMatchObject([{ success: true, matchIndex: 4 }]);
  });

  it('a snapshot that is not ahead of the commit index changes nothing', () => {
    const c = follower([bootstrapEntry(['a', 'b', 'c']), entry(2, 1), entry(3, 1)], 1, 3);
    expect(c.restoreSnapshot({ index: 2, term: 1, config: CONFIG })).toBe(false);
    expect(c.inspect().entries.length).toBe(3);
    const old = chunk('a', 'c', 1, { index: 2, term: 1, config: CONFIG });
    c.step(old);
    expect(c.wantsSnapshot(old)).toBe(false);
    // It tells the leader it already holds everything up to its commit index.
    expect(c.ready().persistedMessages).toMatchObject([{ success: true, matchIndex: 3 }]);
  });

  it('a follower that installed the snapshot catches up from the log, and the leader replicates normally', () => {
    const cluster = leaderCompactedPastC(10);
    cluster.heal();
    cluster.tick(1);
    const a = cluster.raft('a');
    const c = cluster.raft('c');
    const meta = a.snapshot!;
    c.step(chunk('a', 'c', a.term, meta));
    expect(c.restoreSnapshot(meta)).toBe(true);
    cluster.deliver();
    a.reportSnapshot('c', true);
    cluster.propose('a', 'after', 99);
    expect(a.status().progress.get('c')?.state).toBe('replicate');
    expect(c.status().commitIndex).toBe(a.status().commitIndex);
    expect(cluster.appliedText('c').at(-1)).toBe('after');
  });
});
