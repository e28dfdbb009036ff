import { afterEach, describe, expect, it } from 'vitest';
import { createMembership, type Membership } from '../src/index.js';
import { addressOf, type Member, VirtualCluster } from './virtual-cluster.test-support.js';

// Each guard refusing on a live cluster, with its code; nothing is proposed when a guard refuses.

/** Runs `call` in virtual time and returns what it rejected with (fails the test if it resolved). */
async function refusal(cluster: VirtualCluster, call: Promise<unknown>, withinMs = 3_000): Promise<unknown> {
  try {
    await cluster.settle(call, withinMs);
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be refused');
}

/** Wait until the leader no longer counts `id` as recently active (one CheckQuorum window at most). */
async function untilInactive(cluster: VirtualCluster, leader: Member, id: string): Promise<void> {
  await cluster.runUntil(
    () => leader.node.status().progress.get(id)?.recentActive === false,
    2_000,
    `${id} to be counted unreachable`,
  );
}

describe('guards on a live cluster', () => {
  let cluster: VirtualCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  async function threeNodes(): Promise<{ leader: Member; membership: Membership }> {
    cluster = new VirtualCluster(['a', 'b', 'c']);
    const leader = await cluster.startWithLeader('a');
    return { leader, membership: createMembership(leader.node, { clock: cluster.clock }) };
  }

  it('refuses to remove the last voter (RAFT_MEMBERSHIP_LAST_VOTER)', async () => {
    cluster = new VirtualCluster(['a']);
    const leader = await cluster.startWithLeader('a');
    const membership = createMembership(leader.node, { clock: cluster.clock });
    expect(await refusal(cluster, membership.removeNode('a'))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_LAST_VOTER',
      id: 'a',
    });
    expect(await refusal(cluster, membership.changeMembers({ voters: [] }))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_LAST_VOTER',
    });
    expect(leader.node.status().config.voters).toEqual(['a']);
  });

  it('refuses a removal that would leave no reachable quorum (RAFT_MEMBERSHIP_QUORUM_AT_RISK), naming the reachable voters', async () => {
    const { leader, membership } = await threeNodes();
    cluster!.network.isolate('c');
    await untilInactive(cluster!, leader, 'c');
    const lastIndex = leader.node.status().lastIndex;
    // Removing b would leave {a, c}: only a answers.
    expect(await refusal(cluster!, membership.removeNode('b'))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_QUORUM_AT_RISK',
      scope: 'target',
      voters: ['a', 'c'],
      reachable: ['a'],
      needed: 2,
    });
    expect(leader.node.status().lastIndex).toBe(lastIndex); // nothing was proposed
    // Removing the unreachable one is what an operator should do instead, and it is allowed.
    const config = await cluster!.settle(membership.removeNode('c'), 3_000);
    expect(config.voters).toEqual(['a', 'b']);
  });

  it('refuses to promote into a configuration whose new voters are not reachable (RAFT_MEMBERSHIP_QUORUM_AT_RISK)', async () => {
    cluster = new VirtualCluster(['a', 'b', 'c', 'd', 'e']);
    const leader = await cluster.startWithLeader('a');
    const membership = createMembership(leader.node, { clock: cluster.clock });
    cluster.network.isolate('d');
    cluster.network.isolate('e');
    await untilInactive(cluster, leader, 'd');
    await untilInactive(cluster, leader, 'e');
    // {a, d, e} would need two of d and e, and neither answers.
    expect(await refusal(cluster, membership.changeMembers({ voters: ['a', 'd', 'e'] }))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_QUORUM_AT_RISK',
      scope: 'target',
      reachable: ['a'],
    });
    // Dropping both unreachable voters at once is fine: 3 of 5 answer, and 3 of 3 will.
    const config = await cluster.settle(membership.changeMembers({ voters: ['a', 'b', 'c'] }), 3_000);
    expect(config.voters).toEqual(['a', 'b', 'c']);
  });

  it('promote times out on a learner that cannot catch up (RAFT_MEMBERSHIP_CATCH_UP_TIMEOUT) and leaves it a learner', async () => {
    const { leader, membership } = await threeNodes();
    await cluster!.startNewcomer('d');
    cluster!.network.isolate('d');
    await cluster!.settle(membership.addLearner('d', addressOf('d')), 3_000);
    for (let i = 0; i < 5; i++) await cluster!.settle(leader.node.propose(new Uint8Array([i + 1])), 1_000);
    const started = cluster!.scheduler.now();
    const error = await refusal(
      cluster!,
      membership.promote('d', { catchUpTimeoutMs: 1_000, catchUpMaxLagEntries: 2 }),
      5_000,
    );
    expect(error).toMatchObject({ code: 'RAFT_MEMBERSHIP_CATCH_UP_TIMEOUT', id: 'd', maxLag: 2 });
    // The lag seen: d holds nothing, so it is the whole log.
    expect((error as { lag: number }).lag).toBe(leader.node.status().lastIndex);
    expect(cluster!.scheduler.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(cluster!.scheduler.now() - started).toBeLessThan(1_200);
    expect(leader.node.status().config.learners).toEqual(['d']);
    // Once the link is back, addVoter picks up where it left off.
    cluster!.network.heal();
    const config = await cluster!.settle(membership.addVoter('d', addressOf('d')), 5_000);
    expect(config.voters).toContain('d');
  });

  it('refuses unknown members (RAFT_MEMBERSHIP_UNKNOWN_MEMBER) and members added twice (RAFT_MEMBERSHIP_ALREADY_MEMBER)', async () => {
    const { membership } = await threeNodes();
    const c = cluster!;
    expect(await refusal(c, membership.removeNode('zz'))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_UNKNOWN_MEMBER',
      expected: 'member',
    });
    expect(await refusal(c, membership.promote('zz'))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_UNKNOWN_MEMBER',
      expected: 'learner',
    });
    expect(await refusal(c, membership.replaceNode('zz', 'n', addressOf('n')))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_UNKNOWN_MEMBER',
      expected: 'voter',
    });
    expect(await refusal(c, membership.addLearner('b', addressOf('b')))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_ALREADY_MEMBER',
      role: 'voter',
    });
    expect(await refusal(c, membership.addVoter('b', addressOf('b')))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_ALREADY_MEMBER',
    });
    expect(await refusal(c, membership.promote('a'))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_ALREADY_MEMBER',
    });
    expect(await refusal(c, membership.replaceNode('a', 'b', addressOf('b')))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_ALREADY_MEMBER',
    });
    await c.startNewcomer('d');
    await c.settle(membership.addLearner('d', addressOf('d')), 3_000);
    expect(await refusal(c, membership.addLearner('d', 'mem://elsewhere'))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_ALREADY_MEMBER',
      role: 'learner',
      address: addressOf('d'),
    });
  });

  it('refuses invalid ids, addresses and targets before proposing anything', async () => {
    const { leader, membership } = await threeNodes();
    const c = cluster!;
    const lastIndex = leader.node.status().lastIndex;
    expect(await refusal(c, membership.addLearner('', addressOf('x')))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_INVALID_ID',
    });
    expect(await refusal(c, membership.addVoter('bad id', addressOf('x')))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_INVALID_ID',
    });
    expect(await refusal(c, membership.addVoter('x', ''))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_INVALID_ADDRESS',
    });
    expect(await refusal(c, membership.replaceNode('a', 'x', 'two words'))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_INVALID_ADDRESS',
    });
    expect(await refusal(c, membership.replaceNode('a', 'a', addressOf('a')))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_INVALID_TARGET',
    });
    expect(await refusal(c, membership.changeMembers({ voters: ['a', 'b', 'b'] }))).toMatchObject({
      code: 'RAFT_MEMBERSHIP_INVALID_TARGET',
    });
    expect(
      await refusal(c, membership.addLearner('x', addressOf('x'), { catchUpMaxLagEntries: -1 })),
    ).toMatchObject({
      code: 'RAFT_INVALID_OPTIONS',
    });
    expect(leader.node.status().lastIndex).toBe(lastIndex);
  });

  it('on a follower every workflow rejects with the core NotLeaderError naming the leader', async () => {
    await threeNodes();
    const c = cluster!;
    const follower = createMembership(c.member('b').node, { clock: c.clock });
    for (const call of [
      () => follower.removeNode('c'),
      () => follower.addVoter('d', addressOf('d')),
      () => follower.addLearner('d', addressOf('d')),
      () => follower.promote('d'),
      () => follower.replaceNode('c', 'd', addressOf('d')),
      () => follower.changeMembers({ voters: ['a', 'b'] }),
    ]) {
      expect(await refusal(c, call())).toMatchObject({ code: 'RAFT_NOT_LEADER', leaderHint: 'a' });
    }
  });

  it('an aborted signal stops a waiting promote, and a call queued behind it, with the signal reason', async () => {
    const { membership } = await threeNodes();
    const c = cluster!;
    await c.startNewcomer('d');
    c.network.isolate('d');
    await c.settle(membership.addLearner('d', addressOf('d')), 3_000);
    const controller = new AbortController();
    const reason = new Error('operator cancelled');
    const waiting = membership.promote('d', { signal: controller.signal, catchUpMaxLagEntries: 0 });
    const queued = membership.removeNode('d', { signal: controller.signal });
    // Observed from now on, so its rejection is not reported as unhandled while we wait on the other.
    const queuedError = queued.catch((error: unknown) => error);
    c.clock.setTimeout(() => controller.abort(reason), 300);
    expect(await refusal(c, waiting)).toBe(reason);
    expect(await c.settle(queuedError, 1_000)).toBe(reason);
    // The queue is free again: the next call runs.
    const config = await c.settle(membership.removeNode('d'), 3_000);
    expect(config.learners).toEqual([]);
  });
});
