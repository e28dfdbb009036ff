import type { ClusterConfig } from '@raft/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMembership } from '../src/index.js';
import { addressOf, VirtualCluster } from './virtual-cluster.test-support.js';

// Every workflow on an in-process cluster, in virtual time. Each test names the rule it guards.

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

describe('membership workflows on a running cluster', () => {
  let cluster: VirtualCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('addVoter grows 3 -> 5 (learner, catch-up from a snapshot, promote) while writes keep committing', async () => {
    cluster = new VirtualCluster(['a', 'b', 'c']);
    const leader = await cluster.startWithLeader('a');
    const membership = createMembership(leader.node, { clock: cluster.clock, catchUpMaxLagEntries: 10 });
    const writer = cluster.startWriter();
    // Enough history that the log is compacted: the newcomers must be sent a snapshot.
    await cluster.runUntil(() => writer.committed() >= 60, 5_000, '60 writes');
    for (const id of ['d', 'e']) {
      await cluster.startNewcomer(id);
      const committedBefore = writer.committed();
      const config = await cluster.settle(membership.addVoter(id, addressOf(id)), 10_000, `addVoter ${id}`);
      expect(config.voters).toContain(id);
      expect(config.learners).not.toContain(id);
      expect(config.addresses?.[id]).toBe(addressOf(id));
      // The cluster never stopped committing while the newcomer caught up.
      expect(writer.committed()).toBeGreaterThan(committedBefore);
    }
    const committed = writer.committed();
    await cluster.runUntil(() => writer.committed() >= committed + 20, 5_000, '20 more writes');
    writer.stop();
    const final = leader.node.status().config;
    expect(sorted(final.voters)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(final.outgoingVoters).toEqual([]);
    // The newcomers hold the whole history (restored from a snapshot, then replicated).
    const lastApplied = leader.node.status().appliedIndex;
    await cluster.runUntil(
      () => ['d', 'e'].every((id) => cluster!.member(id).node.status().appliedIndex >= lastApplied),
      2_000,
      'd and e to apply everything',
    );
    for (const id of ['d', 'e']) {
      // Its log starts after a snapshot: it never saw the first entries one by one.
      expect(cluster.member(id).node.inspect().firstIndex).toBeGreaterThan(20);
      expect(cluster.member(id).stateMachine.values.slice(0, 60)).toEqual(
        leader.stateMachine.values.slice(0, 60),
      );
    }
  });

  it('removeNode shrinks 5 -> 3; the removed nodes no longer count and the rest keep committing', async () => {
    cluster = new VirtualCluster(['a', 'b', 'c', 'd', 'e']);
    const leader = await cluster.startWithLeader('a');
    const membership = createMembership(leader.node, { clock: cluster.clock });
    await cluster.settle(membership.removeNode('d'), 5_000, 'remove d');
    const config = await cluster.settle(membership.removeNode('e'), 5_000, 'remove e');
    expect(sorted(config.voters)).toEqual(['a', 'b', 'c']);
    // Stop the removed nodes: a majority of {a, b, c} is all the cluster needs now.
    await cluster.stopMember('d');
    await cluster.stopMember('e');
    await cluster.stopMember('c');
    await expect(cluster.settle(leader.node.propose(new Uint8Array([1])), 2_000)).resolves.toBeGreaterThan(0);
  });

  it('replaceNode replaces every member one at a time, each swap in one joint change, no write lost', async () => {
    cluster = new VirtualCluster(['a', 'b', 'c']);
    await cluster.startWithLeader('a');
    const writer = cluster.startWriter(10);
    const replacements: [string, string][] = [
      ['a', 'x'],
      ['b', 'y'],
      ['c', 'z'],
    ];
    for (const [oldId, newId] of replacements) {
      const leaderId = cluster.leaderId()!;
      const leader = cluster.member(leaderId);
      await cluster.startNewcomer(newId);
      const before = leader.node.status().lastIndex;
      const membership = createMembership(leader.node, { clock: cluster.clock });
      const config = await cluster.settle(
        membership.replaceNode(oldId, newId, addressOf(newId)),
        10_000,
        `replace ${oldId} by ${newId}`,
      );
      expect(config.voters).toContain(newId);
      expect(config.voters).not.toContain(oldId);
      expect(config.voters).toHaveLength(3);
      expect(config.addresses?.[oldId]).toBeUndefined();
      // Learner first, then ONE joint configuration that swaps them, then the final one: the voters
      // are never 2 or 4 on the way.
      expect(cluster.configsAfter(before).map(describeConfig)).toEqual([
        describeConfig({
          voters: before3(config.voters, newId, oldId),
          outgoingVoters: [],
          learners: [newId],
        }),
        describeConfig({
          voters: config.voters,
          outgoingVoters: before3(config.voters, newId, oldId),
          learners: [],
        }),
        describeConfig(config),
      ]);
      await cluster.runUntil(() => cluster!.leaderId() !== undefined, 3_000, 'a leader after the swap');
      const removed = cluster.member(oldId).node;
      await cluster.runUntil(() => removed.status().role !== 'leader', 3_000, `${oldId} to step down`);
      await cluster.stopMember(oldId);
    }
    const committed = writer.committed();
    await cluster.runUntil(() => writer.committed() >= committed + 10, 5_000, 'writes on x, y, z');
    writer.stop();
    const leaderId = cluster.leaderId()!;
    expect(['x', 'y', 'z']).toContain(leaderId);
    expect(sorted(cluster.member(leaderId).node.status().config.voters)).toEqual(['x', 'y', 'z']);
  });

  it('removing the leader: it steps down once the change commits and the rest elect a new leader', async () => {
    cluster = new VirtualCluster(['a', 'b', 'c']);
    const leader = await cluster.startWithLeader('a');
    const membership = createMembership(leader.node, { clock: cluster.clock });
    const config = await cluster.settle(membership.removeNode('a'), 5_000, 'remove a');
    expect(sorted(config.voters)).toEqual(['b', 'c']);
    await cluster.runUntil(() => leader.node.status().role !== 'leader', 2_000, 'a to step down');
    await cluster.runUntil(
      () => ['b', 'c'].includes(cluster!.leaderId() ?? ''),
      3_000,
      'b or c to be elected',
    );
    const newLeader = cluster.member(cluster.leaderId()!);
    expect(sorted(newLeader.node.status().config.voters)).toEqual(['b', 'c']);
    await expect(cluster.settle(newLeader.node.propose(new Uint8Array([2])), 2_000)).resolves.toBeGreaterThan(
      0,
    );
  });

  it('addLearner then promote: the learner does not vote until promoted; changeMembers swaps two voters in one joint change', async () => {
    cluster = new VirtualCluster(['a', 'b', 'c']);
    const leader = await cluster.startWithLeader('a');
    const membership = createMembership(leader.node, { clock: cluster.clock });
    for (const id of ['d', 'e']) {
      await cluster.startNewcomer(id);
      const config = await cluster.settle(membership.addLearner(id, addressOf(id)), 3_000, `learner ${id}`);
      expect(config.learners).toContain(id);
      expect(config.voters).not.toContain(id);
    }
    // Adding the same learner again is a no-op, not an error.
    await expect(cluster.settle(membership.addLearner('d', addressOf('d')), 1_000)).resolves.toMatchObject({
      learners: ['d', 'e'],
    });
    const promoted = await cluster.settle(membership.promote('d'), 3_000, 'promote d');
    expect(sorted(promoted.voters)).toEqual(['a', 'b', 'c', 'd']);
    const before = leader.node.status().lastIndex;
    const swapped = await cluster.settle(
      membership.changeMembers({ voters: ['a', 'b', 'd', 'e'], learners: [] }),
      3_000,
      'swap c for e',
    );
    expect(sorted(swapped.voters)).toEqual(['a', 'b', 'd', 'e']);
    expect(swapped.learners).toEqual([]);
    expect(swapped.addresses?.['e']).toBe(addressOf('e'));
    const joint = cluster.configsAfter(before).filter((config) => config.outgoingVoters.length > 0);
    expect(joint.map(describeConfig)).toEqual(['voters a,b,d,e outgoing a,b,c,d learners -']);
  });
});

/** A configuration as one comparable line (ids sorted, addresses left out). */
function describeConfig(config: ClusterConfig): string {
  const list = (ids: readonly string[]) => (ids.length === 0 ? '-' : sorted(ids).join(','));
  return `voters ${list(config.voters)} outgoing ${list(config.outgoingVoters)} learners ${list(config.learners)}`;
}

/** The voters before `newId` replaced `oldId`. */
function before3(voters: readonly string[], newId: string, oldId: string): string[] {
  return voters.map((id) => (id === newId ? oldId : id));
}
