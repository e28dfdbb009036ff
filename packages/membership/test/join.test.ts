import type { NodeId } from '@raft/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createJoinHandler,
  createMembership,
  type JoinHandler,
  type JoinRequest,
  requestJoin,
} from '../src/index.js';
import { addressOf, bytes, VirtualCluster } from './virtual-cluster.test-support.js';

// The join protocol end to end on an in-process cluster: every member mounts a join handler behind a
// pretend HTTP endpoint (`http://<id>`), and a fresh node asks any of them to be admitted.

const contactOf = (id: NodeId): string => `http://${id}`;

/** One handler per current member, reached through `send` as a transport would carry it. */
function endpoints(cluster: VirtualCluster) {
  const handlers = new Map<string, JoinHandler>();
  const mount = (id: NodeId): void => {
    const membership = createMembership(cluster.member(id).node, { clock: cluster.clock });
    handlers.set(contactOf(id), createJoinHandler(membership, { contactOf }));
  };
  const calls: string[] = [];
  const send = async (contact: string, request: JoinRequest): Promise<unknown> => {
    calls.push(contact);
    const handler = handlers.get(contact);
    if (handler === undefined) throw new Error(`connection refused: ${contact}`);
    // Through JSON, as over HTTP: the handler and the joiner share no objects.
    return JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(request)))));
  };
  return { mount, send, calls, handlers };
}

describe('join protocol on a live cluster', () => {
  let cluster: VirtualCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('a fresh node asking a follower is redirected to the leader, added as a learner, caught up and promoted', async () => {
    cluster = new VirtualCluster(['a', 'b', 'c']);
    const leader = await cluster.startWithLeader('a');
    for (let i = 0; i < 30; i++) await cluster.settle(leader.node.propose(bytes(`v${i}`)), 1_000);
    const { mount, send, calls } = endpoints(cluster);
    for (const id of ['a', 'b', 'c']) mount(id);
    // The joiner runs first: empty storage, no initial members, reachable at its address.
    const d = await cluster.startNewcomer('d');
    const config = await cluster.settle(
      requestJoin({
        id: 'd',
        address: addressOf('d'),
        contacts: ['http://b'],
        send,
        deadlineMs: 10_000,
        clock: cluster.clock,
      }),
      10_000,
      'd to join',
    );
    expect(calls).toEqual(['http://b', 'http://a']);
    expect(config.voters).toContain('d');
    expect(config.addresses?.['d']).toBe(addressOf('d'));
    // It received the history from a snapshot and now takes part.
    expect(d.node.inspect().firstIndex).toBeGreaterThan(1);
    await cluster.settle(leader.node.propose(bytes('after')), 1_000);
    await cluster.runUntil(() => d.stateMachine.values.at(-1) === 'after', 2_000, 'd to apply');
    expect(d.stateMachine.values).toEqual(leader.stateMachine.values);

    // Asking again (a joiner that lost the answer) is idempotent: same configuration, nothing appended.
    const lastIndex = leader.node.status().lastIndex;
    const again = await cluster.settle(
      requestJoin({
        id: 'd',
        address: addressOf('d'),
        contacts: ['http://c'],
        send,
        deadlineMs: 5_000,
        clock: cluster.clock,
      }),
      5_000,
    );
    expect(again).toEqual(config);
    expect(leader.node.status().lastIndex).toBe(lastIndex);
  });

  it('the handler answers malformed requests and conflicting ids with stable codes, never by throwing', async () => {
    cluster = new VirtualCluster(['a', 'b', 'c']);
    await cluster.startWithLeader('a');
    const { mount, handlers, send } = endpoints(cluster);
    mount('a');
    mount('b');
    const handler = handlers.get('http://a')!;
    const answers = await Promise.all(
      [null, 'join me', {}, { id: 7, address: 'x' }, { id: 'd', address: 'two words' }].map((request) =>
        cluster!.settle(handler(request), 1_000),
      ),
    );
    expect(answers.map((answer) => answer.status === 'failed' && [answer.code, answer.retryable])).toEqual([
      ['RAFT_MEMBERSHIP_INVALID_JOIN_REQUEST', false],
      ['RAFT_MEMBERSHIP_INVALID_JOIN_REQUEST', false],
      ['RAFT_MEMBERSHIP_INVALID_JOIN_REQUEST', false],
      ['RAFT_MEMBERSHIP_INVALID_ID', false],
      ['RAFT_MEMBERSHIP_INVALID_ADDRESS', false],
    ]);
    // A follower redirects with the leader's contact.
    expect(
      await cluster.settle(handlers.get('http://b')!({ id: 'd', address: addressOf('d') }), 1_000),
    ).toEqual({
      status: 'not-leader',
      leader: 'a',
      contact: 'http://a',
    });
    // An id that is already a voter at another address is refused for good.
    const taken = requestJoin({
      id: 'b',
      address: 'mem://impostor',
      contacts: ['http://a'],
      send,
      deadlineMs: 5_000,
      clock: cluster.clock,
    });
    await expect(cluster.settle(taken, 5_000)).rejects.toMatchObject({
      code: 'RAFT_MEMBERSHIP_JOIN_REFUSED',
      reason: 'RAFT_MEMBERSHIP_ALREADY_MEMBER',
    });
  });

  it('a repeated request that arrives while the first is still catching the node up gets the same answer', async () => {
    cluster = new VirtualCluster(['a', 'b', 'c']);
    await cluster.startWithLeader('a');
    const { mount, handlers } = endpoints(cluster);
    mount('a');
    await cluster.startNewcomer('d');
    const handler = handlers.get('http://a')!;
    const request = { id: 'd', address: addressOf('d') };
    // The second call queues behind the first and finds d already a voter.
    const [first, second] = await Promise.all([
      cluster.settle(handler(request), 5_000),
      cluster.settle(handler(request), 5_000),
    ]);
    expect(first).toMatchObject({ status: 'joined' });
    expect(second).toEqual(first);
  });

  it('decommission: a removed node is refused on its old storage (RAFT_NODE_REMOVED) and rejoins under its id with empty storage', async () => {
    cluster = new VirtualCluster(['a', 'b', 'c']);
    const leader = await cluster.startWithLeader('a');
    const membership = createMembership(leader.node, { clock: cluster.clock });
    await cluster.settle(leader.node.propose(bytes('before')), 1_000);
    const config = await cluster.settle(membership.removeNode('c'), 3_000, 'remove c');
    expect(config.voters).toEqual(['a', 'b']);
    // c is live: it learns of its removal (the leader keeps replicating to it until the change commits).
    const c = cluster.member('c');
    await cluster.runUntil(
      () => c.node.status().commitIndex >= leader.node.status().commitIndex,
      2_000,
      'c to learn its removal',
    );
    await cluster.stopMember('c');
    const restarted = cluster.restartOnOldStorage('c');
    await expect(restarted.node.start()).rejects.toMatchObject({ code: 'RAFT_NODE_REMOVED' });

    // Wiped, it joins again under the same id through the join handler.
    const { mount, send } = endpoints(cluster);
    mount('a');
    mount('b');
    const fresh = await cluster.startNewcomer('c');
    const rejoined = await cluster.settle(
      requestJoin({
        id: 'c',
        address: addressOf('c'),
        contacts: ['http://b', 'http://a'],
        send,
        deadlineMs: 10_000,
        clock: cluster.clock,
      }),
      10_000,
      'c to rejoin',
    );
    expect([...rejoined.voters].sort()).toEqual(['a', 'b', 'c']);
    await cluster.settle(leader.node.propose(bytes('after')), 1_000);
    await cluster.runUntil(() => fresh.stateMachine.values.at(-1) === 'after', 2_000, 'the new c to apply');
    expect(fresh.stateMachine.values).toEqual(['before', 'after']);
  });
});
