import { describe, expect, it } from 'vitest';
import { EngineCluster } from '../engine-harness.js';
import { bytes, drain, heartbeat, newRaft, ofType, text } from './replication-support.js';

// Raft §8 (client interaction): clients talk to the leader; a follower either redirects them (the
// leader hint) or, with forwardProposals, relays the command to the leader on their behalf.

const ABC = ['a', 'b', 'c'];

describe('proposal forwarding', () => {
  // Regression (simulator seed 9, 5 nodes, duplicating network): a Propose delivered twice was appended
  // twice, so one client command was applied twice. A duplicate must get the first placement back.
  it('a duplicated forwarded proposal is appended once and answered with the same placement', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    const leader = cluster.raft('a');
    const propose = {
      type: 'Propose' as const,
      from: 'b',
      to: 'a',
      term: 2,
      proposalId: 7,
      data: bytes('x'),
    };
    leader.step(propose);
    leader.step(propose);
    const out = drain(leader);
    const answers = ofType(out.messages, 'ProposeResponse').map((m) => [m.index, m.entryTerm]);
    expect(answers).toEqual([
      [3, 2],
      [3, 2],
    ]);
    expect(leader.inspect().entries.filter((entry) => text(entry) === 'x')).toHaveLength(1);
  });

  it('a follower forwards a proposal to the leader and learns where it landed (index and term)', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.raft('b').propose(1, bytes('x'));
    cluster.deliver();

    const forwarded = cluster.node('b').sent.filter(({ message }) => message.type === 'Propose');
    expect(forwarded.map(({ message }) => message.to)).toEqual(['a']);
    expect(cluster.node('b').outcomes).toEqual([{ proposalId: 1, accepted: true, index: 3, term: 2 }]);
    const landed = cluster.raft('a').inspect().entries[2];
    expect(landed && [landed.index, landed.term, text(landed)]).toEqual([3, 2, 'x']);
    expect(cluster.appliedText('b')).toEqual(['x']);
  });

  // Regression: the leader once appended a forwarded proposal without replicating it, so every
  // forwarded write waited a heartbeat interval. It must go out at once, like a local proposal.
  it('the leader replicates a forwarded proposal at once, like a local one', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    const since = cluster.node('a').sent.length;
    cluster.raft('b').propose(1, bytes('x'));
    cluster.deliver();
    const carriers = cluster
      .node('a')
      .sent.slice(since)
      .filter(
        ({ message }) => message.type === 'AppendEntries' && message.entries.some((e) => text(e) === 'x'),
      );
    expect(carriers.map(({ message }) => message.to).sort()).toEqual(['b', 'c']);
    expect(cluster.raft('a').status().commitIndex).toBe(3);
  });

  it("with forwardProposals off a follower refuses with 'not-leader' and the leader hint", () => {
    const cluster = new EngineCluster(ABC, { forwardProposals: false });
    cluster.elect('a');
    cluster.raft('b').propose(1, bytes('x'));
    cluster.deliver();
    expect(cluster.node('b').outcomes).toEqual([
      { proposalId: 1, accepted: false, reason: 'not-leader', leaderHint: 'a' },
    ]);
    expect(cluster.node('b').sent.filter(({ message }) => message.type === 'Propose')).toEqual([]);
    expect(cluster.raft('a').status().lastIndex).toBe(2);
  });

  it("a follower that knows no leader refuses with 'not-leader' and no hint", () => {
    const follower = newRaft('b', ABC);
    follower.propose(1, bytes('x'));
    const out = drain(follower);
    expect(out.proposalOutcomes).toEqual([
      { proposalId: 1, accepted: false, reason: 'not-leader', leaderHint: '' },
    ]);
    expect(out.messages).toEqual([]);
  });

  it.each([
    ['a candidate', false],
    ['a pre-candidate', true],
  ])("%s refuses with 'not-leader'", (_label, preVote) => {
    const node = newRaft('b', ABC, undefined, { preVote });
    node.campaign();
    drain(node);
    expect(node.status().role).toBe(preVote ? 'pre-candidate' : 'candidate');
    node.propose(1, bytes('x'));
    const out = drain(node);
    expect(out.proposalOutcomes).toEqual([
      { proposalId: 1, accepted: false, reason: 'not-leader', leaderHint: '' },
    ]);
    expect(ofType(out.messages, 'Propose')).toEqual([]);
  });

  it('a forwarded proposal that reaches a node that is not the leader comes back dropped', () => {
    // The leader may have changed while the proposal was in flight; the follower must not wait forever.
    const follower = newRaft('b', ABC, { terms: [1], term: 2 });
    follower.step(heartbeat('a', 'b', 2, 1));
    follower.propose(5, bytes('x'));
    const [forwarded] = ofType(drain(follower).messages, 'Propose');
    expect(forwarded).toMatchObject({ to: 'a', proposalId: 5 });

    const formerLeader = newRaft('a', ABC, { terms: [1], term: 2 });
    formerLeader.step(forwarded!);
    const [answer] = ofType(drain(formerLeader).messages, 'ProposeResponse');
    expect(answer).toMatchObject({ to: 'b', proposalId: 5, index: 0 });

    follower.step(answer!);
    expect(drain(follower).proposalOutcomes).toEqual([
      { proposalId: 5, accepted: false, reason: 'dropped', leaderHint: 'a' },
    ]);
  });
});
