import { afterEach, describe, expect, it } from 'vitest';
import type { NodeId } from '../engine/types.js';
import { bytes, TestCluster } from './node-harness.test-support.js';

describe('driver: changeMembership', () => {
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('adds two voters through the joint configuration and resolves with the final configuration', async () => {
    cluster = new TestCluster(['a', 'b', 'c']);
    const leader = await cluster.startWithLeader('a');
    await leader.node.propose(bytes('before'));
    for (const id of ['d', 'e']) await cluster.newcomer(id).node.start();
    const target = { voters: ['a', 'b', 'c', 'd', 'e'], outgoingVoters: [], learners: [] };
    const change = leader.node.changeMembership(target);
    await cluster.clock.waitFor(() => false, 2_000).catch(() => undefined);
    await expect(change).resolves.toEqual(target);
    await cluster.member('a').node.propose(bytes('after'));
    await cluster.clock.waitFor(
      () => cluster!.member('e').stateMachine.values.includes('after'),
      5_000,
      'e to apply new entries',
    );
    expect(cluster.member('e').stateMachine.values).toEqual(['before', 'after']);
  });

  it('refuses a second change while one is unfinished (RAFT_CONFIG_CHANGE_IN_PROGRESS), and bad targets (RAFT_INVALID_CONFIG)', async () => {
    cluster = new TestCluster(['a', 'b', 'c']);
    const leader = await cluster.startWithLeader('a');
    cluster.network.isolate('b');
    cluster.network.isolate('c');
    const first = leader.node.changeMembership({ voters: ['a', 'b'], outgoingVoters: [], learners: ['c'] });
    const second = leader.node.changeMembership({
      voters: ['a', 'b', 'c'],
      outgoingVoters: [],
      learners: ['x'],
    });
    await expect(second).rejects.toMatchObject({ code: 'RAFT_CONFIG_CHANGE_IN_PROGRESS' });
    await expect(
      leader.node.changeMembership({ voters: [], outgoingVoters: [], learners: [] }),
    ).rejects.toMatchObject({ code: 'RAFT_INVALID_CONFIG' });
    cluster.network.heal();
    await cluster.clock.waitFor(() => false, 1_000).catch(() => undefined);
    await expect(first).resolves.toMatchObject({ voters: ['a', 'b'], learners: ['c'] });
  });

  it('a follower refuses with NotLeaderError naming the leader', async () => {
    cluster = new TestCluster(['a', 'b', 'c']);
    await cluster.startWithLeader('a');
    await expect(
      cluster.member('b').node.changeMembership({ voters: ['a', 'b'], outgoingVoters: [], learners: [] }),
    ).rejects.toMatchObject({ code: 'RAFT_NOT_LEADER', leaderHint: 'a' });
  });

  it('hands the addresses in a configuration to the transport when it is appended', async () => {
    cluster = new TestCluster(['a', 'b', 'c']);
    const leader = await cluster.startWithLeader('a');
    const books: ReadonlyMap<NodeId, string>[] = [];
    const transport = cluster.member('b').transport;
    const original = transport.setPeers.bind(transport);
    transport.setPeers = (peers) => {
      books.push(peers);
      original(peers);
    };
    await leader.node.changeMembership({
      voters: ['a', 'b', 'c'],
      outgoingVoters: [],
      learners: [],
      addresses: { a: 'ws://a:1', b: 'ws://b:1', c: 'ws://c:1' },
    });
    await cluster.clock.waitFor(() => books.length > 0, 2_000, 'b to learn addresses');
    expect([...books.at(-1)!.entries()].sort()).toEqual([
      ['a', 'ws://a:1'],
      ['c', 'ws://c:1'],
    ]);
  });

  it('a restarted node hands the addresses of the configuration in its storage to the transport', async () => {
    // A member that joined after this node's `peers` were written is only known from the log.
    cluster = new TestCluster(['a', 'b', 'c']);
    const leader = await cluster.startWithLeader('a');
    await leader.node.changeMembership({
      voters: ['a', 'b', 'c'],
      outgoingVoters: [],
      learners: [],
      addresses: { a: 'ws://a:1', b: 'ws://b:1', c: 'ws://c:1' },
    });
    await cluster.clock.waitFor(
      () => cluster!.member('b').node.status().config.addresses !== undefined,
      2_000,
      'b to append the configuration',
    );
    await cluster.member('b').node.stop();
    const restarted = cluster.restart('b');
    const books: ReadonlyMap<NodeId, string>[] = [];
    const original = restarted.transport.setPeers.bind(restarted.transport);
    restarted.transport.setPeers = (peers) => {
      books.push(peers);
      original(peers);
    };
    await restarted.node.start();
    expect([...books[0]!.entries()].sort()).toEqual([
      ['a', 'ws://a:1'],
      ['c', 'ws://c:1'],
    ]);
  });

  it('a removed node refuses to start again under the same id (RAFT_NODE_REMOVED)', async () => {
    cluster = new TestCluster(['a', 'b', 'c', 'd']);
    const leader = await cluster.startWithLeader('a');
    await leader.node.changeMembership({ voters: ['a', 'b', 'c'], outgoingVoters: [], learners: [] });
    await cluster.clock.waitFor(
      () => cluster!.member('d').node.status().commitIndex >= leader.node.status().commitIndex,
      2_000,
      'd to learn its removal',
    );
    await cluster.member('d').node.stop();
    const restarted = cluster.restart('d');
    await expect(restarted.node.start()).rejects.toMatchObject({ code: 'RAFT_NODE_REMOVED' });
  });
});
