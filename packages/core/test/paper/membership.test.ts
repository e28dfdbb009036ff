import { describe, expect, it } from 'vitest';
import { decodeConfig } from '../../src/codec/index.js';
import type { ClusterConfig } from '../../src/engine/types.js';
import { EngineCluster } from '../engine-harness.js';

// Raft thesis chapter 4: membership changes through the log, joint consensus, and the single-server
// shortcut only where it is safe (after the leader committed an entry of its own term).

const config = (voters: string[], learners: string[] = []): ClusterConfig => ({
  voters,
  outgoingVoters: [],
  learners,
});

/** The configurations appended to `id`'s log after the bootstrap entry, in order. */
function configsIn(cluster: EngineCluster, id: string): ClusterConfig[] {
  return cluster
    .raft(id)
    .inspect()
    .entries.filter((entry) => entry.type === 'config' && entry.index > 1)
    .map((entry) => decodeConfig(entry.data));
}

describe('membership changes (thesis §4.2-4.3)', () => {
  it('adding one voter after the leader committed in its term takes one step, no joint configuration', () => {
    const cluster = new EngineCluster(['a', 'b', 'c'], {}, 1, ['d']);
    cluster.elect('a');
    cluster.raft('a').proposeConfig(1, config(['a', 'b', 'c', 'd']));
    cluster.deliver();
    expect(configsIn(cluster, 'a')).toEqual([config(['a', 'b', 'c', 'd'])]);
    for (const id of ['a', 'b', 'c', 'd'])
      expect(cluster.raft(id).status().config).toEqual(config(['a', 'b', 'c', 'd']));
  });

  it('changing two voters at once goes through the joint configuration and leaves it by itself once committed', () => {
    const cluster = new EngineCluster(['a', 'b', 'c'], {}, 1, ['d', 'e']);
    cluster.elect('a');
    cluster.raft('a').proposeConfig(1, config(['a', 'b', 'c', 'd', 'e']));
    // The joint configuration takes effect at once on the leader (when appended).
    expect(cluster.raft('a').status().config).toEqual({
      voters: ['a', 'b', 'c', 'd', 'e'],
      outgoingVoters: ['a', 'b', 'c'],
      learners: [],
    });
    cluster.deliver();
    expect(configsIn(cluster, 'a')).toEqual([
      { voters: ['a', 'b', 'c', 'd', 'e'], outgoingVoters: ['a', 'b', 'c'], learners: [] },
      config(['a', 'b', 'c', 'd', 'e']),
    ]);
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      expect(cluster.raft(id).status().config).toEqual(config(['a', 'b', 'c', 'd', 'e']));
      expect(cluster.raft(id).status().commitIndex).toBe(cluster.raft('a').status().lastIndex);
    }
  });

  it('in a joint configuration nothing commits without a majority of the old voters as well as the new', () => {
    const cluster = new EngineCluster(['a', 'b', 'c'], {}, 1, ['d', 'e', 'f']);
    cluster.elect('a');
    // New voters d, e, f are reachable; old voters b and c are not.
    cluster.isolate('b');
    cluster.isolate('c');
    cluster.raft('a').proposeConfig(1, config(['a', 'd', 'e', 'f']));
    cluster.deliver();
    const a = cluster.raft('a').status();
    expect(a.config.outgoingVoters).toEqual(['a', 'b', 'c']);
    // Only a of {a, b, c} holds the joint entry: it must not commit.
    expect(a.commitIndex).toBeLessThan(a.lastIndex);
    cluster.heal();
    cluster.tick(3);
    expect(cluster.raft('a').status().config).toEqual(config(['a', 'd', 'e', 'f']));
  });

  it('one change at a time: a second change while one is unfinished is refused with config-in-progress', () => {
    const cluster = new EngineCluster(['a', 'b', 'c'], {}, 1, ['d', 'e']);
    cluster.elect('a');
    cluster.isolate('b');
    cluster.isolate('c');
    cluster.raft('a').proposeConfig(1, config(['a', 'b', 'c', 'd', 'e']));
    cluster.raft('a').proposeConfig(2, config(['a', 'b', 'c'], ['d']));
    cluster.process('a');
    expect(cluster.node('a').outcomes).toMatchObject([
      { proposalId: 1, accepted: true },
      { proposalId: 2, accepted: false, reason: 'config-in-progress' },
    ]);
  });

  it('a configuration that cannot work is refused with invalid-config', () => {
    const cluster = new EngineCluster(['a', 'b', 'c']);
    cluster.elect('a');
    cluster.raft('a').proposeConfig(1, config([]));
    cluster.raft('a').proposeConfig(2, config(['a', 'b'], ['b']));
    cluster.raft('a').proposeConfig(3, { voters: ['a'], outgoingVoters: ['b'], learners: [] });
    cluster.process('a');
    expect(cluster.node('a').outcomes.map((outcome) => !outcome.accepted && outcome.reason)).toEqual([
      'invalid-config',
      'invalid-config',
      'invalid-config',
    ]);
  });

  it('a removed leader keeps leading until the change commits, without counting itself, then steps down', () => {
    const cluster = new EngineCluster(['a', 'b', 'c', 'd']);
    cluster.elect('a');
    cluster.isolate('c');
    cluster.isolate('d');
    cluster.raft('a').proposeConfig(1, config(['b', 'c', 'd']));
    cluster.deliver();
    // a and b hold it, but a no longer counts: one of {b, c, d} is not a majority.
    expect(cluster.raft('a').status().role).toBe('leader');
    expect(cluster.raft('a').status().commitIndex).toBeLessThan(cluster.raft('a').status().lastIndex);
    cluster.heal();
    cluster.tick(2);
    expect(cluster.raft('a').status().role).toBe('follower');
    expect(cluster.raft('b').status().config).toEqual(config(['b', 'c', 'd']));
    // The remaining voters elect a leader among themselves; a never campaigns again.
    cluster.tick(40);
    const leaders = cluster.leaders();
    expect(leaders.length).toBe(1);
    expect(['b', 'c', 'd']).toContain(leaders[0]);
  });

  it('the 2015 single-server bug cannot happen: a new leader that has not committed in its term changes one voter through joint consensus', () => {
    // Voters a, b, c, d. Leader a (term 2) adds e in one step but only a stores it, then a is cut off.
    const cluster = new EngineCluster(['a', 'b', 'c', 'd'], {}, 1, ['e']);
    cluster.elect('a');
    cluster.isolate('a');
    cluster.raft('a').proposeConfig(1, config(['a', 'b', 'c', 'd', 'e']));
    cluster.process('a');
    // Another node leads a later term with the other three and at once, before it committed anything
    // of its term (its append acknowledgements are held back), removes a.
    cluster.filter = (message) => message.type !== 'AppendEntriesResponse';
    for (let i = 0; i < 60 && cluster.leaders().filter((id) => id !== 'a').length === 0; i++) cluster.tick();
    const leader = cluster.leaders().find((id) => id !== 'a');
    expect(leader).toBeDefined();
    const next = cluster.raft(leader!);
    expect(next.status().commitIndex).toBeLessThan(next.status().lastIndex);
    next.proposeConfig(1, config(['b', 'c', 'd']));
    // Without the fix this would be the one-step {b, c, d}, committable by two of them while a, with
    // {a, b, c, d, e}, could win a later term with a, e and one more: two leaders deciding different logs.
    expect(next.status().config).toEqual({
      voters: ['b', 'c', 'd'],
      outgoingVoters: ['a', 'b', 'c', 'd'],
      learners: [],
    });
    cluster.filter = () => true;
    cluster.heal();
    cluster.tick(40);
    // Safety holds: one leader, and every node that holds an index holds the same entry there.
    expect(cluster.leaders().length).toBe(1);
    const logs = ['b', 'c', 'd'].map((id) =>
      cluster
        .raft(id)
        .inspect()
        .entries.map((e) => `${e.index}/${e.term}`),
    );
    const shortest = Math.min(...logs.map((log) => log.length));
    for (const log of logs) expect(log.slice(0, shortest)).toEqual(logs[0]!.slice(0, shortest));
  });
});
