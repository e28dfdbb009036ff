import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/engine/messages.js';
import { EngineCluster } from '../engine-harness.js';
import { bytes } from './replication-support.js';

const ABC = ['a', 'b', 'c'];

/** Messages `from` sent to `to` since position `since` of its send log. */
function sentTo(cluster: EngineCluster, from: string, to: string, since = 0): Message[] {
  return cluster
    .node(from)
    .sent.slice(since)
    .map(({ message }) => message)
    .filter((message) => message.to === to);
}

describe('thesis §3.10 leadership transfer', () => {
  it('a caught-up target gets TimeoutNow at once and becomes leader in the next term', () => {
    // Thesis §3.10: "the prior leader sends a TimeoutNow request to the target server ... the target
    // server starts a new election (with term+1)". The voters' leader lease does not stop it.
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    const term = cluster.raft('a').status().term;
    const since = cluster.node('a').sent.length;

    cluster.raft('a').transferLeadership('b');
    cluster.process('a');
    expect(sentTo(cluster, 'a', 'b', since).map((m) => m.type)).toEqual(['TimeoutNow']);

    cluster.deliver();
    expect(cluster.leaders()).toEqual(['b']);
    expect(cluster.raft('b').status().term).toBe(term + 1);
  });

  it('a lagging target is first brought up to date, then gets TimeoutNow', () => {
    // Thesis §3.10 step 2: "the prior leader ... transfers its log entries to the target server" before
    // telling it to campaign, so the target can win (its log must be up to date, §5.4.1).
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.cutLink('a', 'c');
    cluster.propose('a', 'x', 1);
    cluster.propose('a', 'y', 2);
    cluster.heal();
    const leaderLast = cluster.raft('a').status().lastIndex;
    expect(cluster.raft('c').status().lastIndex).toBeLessThan(leaderLast);

    const targetLastAtTimeoutNow: number[] = [];
    cluster.filter = (message) => {
      if (message.type === 'TimeoutNow') targetLastAtTimeoutNow.push(cluster.raft('c').status().lastIndex);
      return true;
    };
    const since = cluster.node('a').sent.length;
    cluster.raft('a').transferLeadership('c');
    cluster.deliver();

    expect(sentTo(cluster, 'a', 'c', since)[0]?.type).toBe('AppendEntries');
    expect(targetLastAtTimeoutNow).toEqual([leaderLast]);
    expect(cluster.leaders()).toEqual(['c']);
    expect(cluster.appliedText('c')).toEqual(['x', 'y']);
  });

  it("proposals are refused with 'transferring' while a transfer is under way", () => {
    // Thesis §3.10: "the prior leader stops accepting new client requests" so the target can catch up.
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.isolate('b'); // the TimeoutNow is lost: the transfer stays under way
    cluster.raft('a').transferLeadership('b');
    cluster.deliver();
    expect(cluster.raft('a').status().transferee).toBe('b');

    cluster.raft('a').propose(7, bytes('x'));
    cluster.raft('c').propose(8, bytes('y')); // forwarded to a, refused there
    cluster.deliver();
    expect(cluster.node('a').outcomes).toEqual([
      { proposalId: 7, accepted: false, reason: 'transferring', leaderHint: 'a' },
    ]);
    expect(cluster.node('c').outcomes).toMatchObject([{ proposalId: 8, accepted: false }]);
    expect(cluster.raft('a').status().lastIndex).toBe(2);
  });

  it('a transfer that does not finish within an election timeout is abandoned and proposals flow again', () => {
    // Thesis §3.10: "If the transfer does not complete within about one election timeout, the prior
    // leader aborts the transfer and resumes accepting client requests."
    const electionTicks = 10;
    const cluster = new EngineCluster(ABC, { electionTicks });
    cluster.elect('a');
    cluster.isolate('b');
    cluster.raft('a').transferLeadership('b');
    cluster.tick(electionTicks / 2);
    expect(cluster.raft('a').status().transferee).toBe('b');

    cluster.tick(electionTicks / 2);
    expect(cluster.raft('a').status()).toMatchObject({ role: 'leader', transferee: '' });
    cluster.propose('a', 'x', 9);
    expect(cluster.node('a').outcomes).toMatchObject([{ proposalId: 9, accepted: true }]);
    expect(cluster.appliedText('c')).toEqual(['x']);
  });

  it.each([
    ['a learner', 'l'],
    ['the leader itself', 'a'],
    ['an unknown node', 'z'],
  ])('a transfer to %s is ignored', (_label, target) => {
    // Thesis §3.10: only a voter can be elected; transferring to oneself is meaningless.
    const cluster = new EngineCluster(ABC, {}, 1, ['l']);
    cluster.elect('a');
    const since = cluster.node('a').sent.length;
    cluster.raft('a').transferLeadership(target);
    cluster.deliver();
    expect(cluster.raft('a').status()).toMatchObject({ role: 'leader', transferee: '' });
    expect(
      cluster
        .node('a')
        .sent.slice(since)
        .filter(({ message }) => message.type === 'TimeoutNow'),
    ).toEqual([]);
    cluster.propose('a', 'x', 3);
    expect(cluster.node('a').outcomes).toMatchObject([{ proposalId: 3, accepted: true }]);
  });

  it('a transfer asked of a follower is ignored', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.raft('b').transferLeadership('c');
    cluster.deliver();
    expect(cluster.leaders()).toEqual(['a']);
  });
});
