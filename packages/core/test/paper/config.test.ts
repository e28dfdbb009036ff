import { describe, expect, it } from 'vitest';
import { encodeConfig } from '../../src/codec/index.js';
import { Raft } from '../../src/engine/raft.js';
import { bootstrapEntry, EngineCluster } from '../engine-harness.js';

// Raft thesis §4.1: a server uses the latest configuration in its log, whether or not it is committed.
// The full membership workflow is its own feature; these tests guard the mechanism the engine has now.

const ABC = ['a', 'b', 'c'];

describe('configuration in the log (thesis §4.1)', () => {
  it('a proposed configuration takes effect on the leader when appended and on followers when received', () => {
    const cluster = new EngineCluster(ABC, {}, 1, ['d']);
    cluster.elect('a');
    const next = { voters: ['a', 'b', 'c'], outgoingVoters: [], learners: ['d', 'e'] };
    cluster.raft('a').proposeConfig(1, next);
    // Before any delivery the leader already uses the new configuration and tracks the new learner.
    expect(cluster.raft('a').status().config).toEqual(next);
    cluster.process('a');
    expect([...cluster.raft('a').status().progress.keys()].sort()).toEqual(['b', 'c', 'd', 'e']);
    cluster.deliver();
    for (const id of ['b', 'c', 'd']) expect(cluster.raft(id).status().config).toEqual(next);
  });

  it('only one configuration change may be uncommitted at a time', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.isolate('a');
    cluster.raft('a').proposeConfig(1, { voters: ABC, outgoingVoters: [], learners: ['d'] });
    cluster.raft('a').proposeConfig(2, { voters: ABC, outgoingVoters: [], learners: ['e'] });
    cluster.process('a');
    expect(cluster.node('a').outcomes.map((outcome) => [outcome.proposalId, outcome.accepted])).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it('learners receive and apply entries but never count toward commit', () => {
    const cluster = new EngineCluster(ABC, {}, 1, ['d']);
    cluster.elect('a');
    cluster.isolate('b');
    cluster.isolate('c');
    cluster.propose('a', 'x');
    // Only the leader and the learner hold x: no voter majority, so it must not commit.
    expect(
      cluster
        .raft('d')
        .inspect()
        .entries.some((entry) => new TextDecoder().decode(entry.data) === 'x'),
    ).toBe(true);
    expect(cluster.appliedText('a')).toEqual([]);
    cluster.heal();
    cluster.tick(2);
    for (const id of ['a', 'b', 'c', 'd']) expect(cluster.appliedText(id)).toEqual(['x']);
  });

  it('a follower that truncates an uncommitted configuration entry falls back to the previous one', () => {
    const follower = new Raft(
      { id: 'b', random: () => 0 },
      { hardState: { term: 1, vote: '', commit: 1 }, entries: [bootstrapEntry(ABC)] },
    );
    const withZ = { voters: ABC, outgoingVoters: [], learners: ['z'] };
    follower.step({
      type: 'AppendEntries',
      from: 'a',
      to: 'b',
      term: 2,
      prevLogIndex: 1,
      prevLogTerm: 1,
      leaderCommit: 1,
      entries: [{ index: 2, term: 2, type: 'config', data: encodeConfig(withZ) }],
    });
    expect(follower.status().config).toEqual(withZ);
    // A leader of a later term never had that entry: its own entry at index 2 replaces it.
    follower.step({
      type: 'AppendEntries',
      from: 'c',
      to: 'b',
      term: 3,
      prevLogIndex: 1,
      prevLogTerm: 1,
      leaderCommit: 1,
      entries: [{ index: 2, term: 3, type: 'normal', data: new Uint8Array([1]) }],
    });
    expect(follower.inspect().entries.map((entry) => entry.term)).toEqual([1, 3]);
    expect(follower.status().config).toEqual({ voters: ABC, outgoingVoters: [], learners: [] });
  });
});
