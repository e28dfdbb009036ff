import { describe, expect, it } from 'vitest';
import type { Raft } from '../../src/engine/raft.js';
import type { Ready } from '../../src/engine/ready.js';
import { appendAck, appendEntries, entry, heartbeat, makeLeader, newRaft } from './replication-support.js';

const THREE = ['s1', 's2', 's3'];

/** Every Ready batch `raft` has now, advanced as a driver would after carrying it out. */
function batches(raft: Raft): Ready[] {
  const out: Ready[] = [];
  while (raft.hasReady()) {
    const ready = raft.ready();
    out.push(ready);
    raft.advance(ready);
  }
  return out;
}

/** The batches that write something (a driver calls `persist` for these only). */
function writes(raft: Raft): Ready[] {
  return batches(raft).filter((ready) => ready.hardState !== undefined || ready.entries.length > 0);
}

// Raft Figure 2: currentTerm, votedFor and log[] are "persistent state on all servers, updated on
// stable storage before responding to RPCs"; commitIndex is "volatile state on all servers". So a write
// must be synced when it changes the first three, and need not be when it only moves the commit index.
describe('Figure 2: persistent state is synced, the volatile commit index need not be', () => {
  it('a candidate syncs the new term and its vote for itself', () => {
    const s1 = newRaft('s1', THREE, { terms: [1] }, { preVote: false });
    s1.campaign();
    const [write] = writes(s1);
    expect(write?.hardState).toMatchObject({ term: 2, vote: 's1' });
    expect(write?.mustSync).toBe(true);
  });

  it('a voter syncs the vote it grants before answering', () => {
    const s2 = newRaft('s2', THREE, { terms: [1] }, { preVote: false });
    s2.step({
      type: 'RequestVote',
      from: 's1',
      to: 's2',
      term: 2,
      preVote: false,
      lastLogIndex: 1,
      lastLogTerm: 1,
      transfer: false,
    });
    const [write] = writes(s2);
    expect(write?.hardState).toMatchObject({ term: 2, vote: 's1' });
    expect(write?.persistedMessages.map((message) => message.type)).toEqual(['RequestVoteResponse']);
    expect(write?.mustSync).toBe(true);
  });

  it('a follower that learns a newer term from a heartbeat syncs it', () => {
    const s2 = newRaft('s2', THREE, { terms: [1] });
    s2.step(heartbeat('s1', 's2', 3, 0));
    const [write] = writes(s2);
    expect(write?.hardState).toMatchObject({ term: 3, vote: '' });
    expect(write?.mustSync).toBe(true);
  });

  it('a follower syncs appended entries, even when the same batch moves only the commit index otherwise', () => {
    const s2 = newRaft('s2', THREE, { terms: [1], term: 2 });
    s2.step(
      appendEntries({
        from: 's1',
        to: 's2',
        term: 2,
        prevLogIndex: 1,
        prevLogTerm: 1,
        entries: [entry(2, 2, 'x')],
        leaderCommit: 2,
      }),
    );
    const [write] = writes(s2);
    expect(write?.entries.map((e) => e.index)).toEqual([2]);
    expect(write?.hardState?.commit).toBe(2);
    expect(write?.mustSync).toBe(true);
  });

  it('a follower does not sync a write that only moves the commit index', () => {
    const s2 = newRaft('s2', THREE, { terms: [1, 2], term: 2, commit: 1 });
    s2.step(heartbeat('s1', 's2', 2, 2));
    const [write, ...rest] = writes(s2);
    expect(rest).toEqual([]);
    expect(write?.entries).toEqual([]);
    expect(write?.hardState).toEqual({ term: 2, vote: '', commit: 2 });
    expect(write?.mustSync).toBe(false);
  });

  it('a leader does not sync the write that records a commit, and syncs the entries it appends', () => {
    const s1 = makeLeader('s1', THREE);
    const noop = s1.status().lastIndex;
    s1.step(appendAck('s2', 's1', s1.status().term, noop));
    const [commitOnly] = writes(s1);
    expect(commitOnly?.hardState?.commit).toBe(noop);
    expect(commitOnly?.entries).toEqual([]);
    expect(commitOnly?.mustSync).toBe(false);

    s1.propose(1, new TextEncoder().encode('x'));
    const [append] = writes(s1);
    expect(append?.entries.length).toBe(1);
    expect(append?.mustSync).toBe(true);
  });
});
