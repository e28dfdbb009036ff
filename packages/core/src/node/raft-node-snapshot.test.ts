import { afterEach, describe, expect, it } from 'vitest';
import type { RaftEvent } from '../interfaces/observer.js';
import { bytes, TestCluster } from './node-harness.test-support.js';

const SNAPSHOTS = { everyEntries: 20, keepEntries: 5, chunkBytes: 64, windowChunks: 2 } as const;

describe('driver: snapshots and log compaction (Raft §7)', () => {
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  function withEvents(): { cluster: TestCluster; events: Map<string, RaftEvent[]> } {
    const events = new Map<string, RaftEvent[]>();
    const created = new TestCluster(['a', 'b', 'c'], {
      snapshot: SNAPSHOTS,
      observer: (id) => (event) => {
        const list = events.get(id) ?? [];
        list.push(event);
        events.set(id, list);
      },
    });
    cluster = created;
    return { cluster: created, events };
  }

  async function proposeMany(target: TestCluster, leader: string, from: number, count: number) {
    for (let i = from; i < from + count; i++) {
      const done = target.member(leader).node.propose(bytes(`v${i}`));
      await target.clock.waitFor(() => true, 10);
      await done;
    }
  }

  it('compacts the log behind a snapshot, keeping keepEntries trailing entries', async () => {
    const { cluster, events } = withEvents();
    const leader = await cluster.startWithLeader('a');
    await proposeMany(cluster, 'a', 0, 60);
    await cluster.clock.waitFor(
      () => (events.get('a') ?? []).some((event) => event.type === 'snapshot-created'),
      5_000,
      'a snapshot on the leader',
    );
    const inspection = leader.node.inspect();
    expect(inspection.firstIndex).toBeGreaterThan(10);
    const snapshot = leader.storage.inner.contents().snapshot;
    expect(snapshot).toBeDefined();
    // keepEntries: the log still starts keepEntries below the snapshot.
    expect(inspection.firstIndex).toBe(snapshot!.index - SNAPSHOTS.keepEntries + 1);
    expect(await leader.storage.firstIndex()).toBe(inspection.firstIndex);
    expect(snapshot!.config.voters).toEqual(['a', 'b', 'c']);
  });

  it('members snapshot at their own points of each interval, never all at the same index', async () => {
    const { cluster, events } = withEvents();
    await cluster.startWithLeader('a');
    await proposeMany(cluster, 'a', 0, 100);
    const indices = (id: string): number[] =>
      (events.get(id) ?? []).flatMap((event) => (event.type === 'snapshot-created' ? [event.index] : []));
    await cluster.clock.waitFor(
      () => ['a', 'b', 'c'].every((id) => indices(id).length >= 3),
      5_000,
      'three snapshots on every member',
    );
    // Ranks 0, 1 and 2 of three: points at k * 20 + 0, 6 and 13 (k >= 1), each taken at the first
    // apply at or past the point, so within one apply batch of it.
    const phases = { a: 0, b: 6, c: 13 } as const;
    for (const [id, phase] of Object.entries(phases)) {
      const taken = indices(id);
      expect(taken[0]!, id).toBeGreaterThanOrEqual(SNAPSHOTS.everyEntries + phase);
      for (let i = 1; i < taken.length; i++) {
        expect(Math.floor((taken[i]! - phase) / SNAPSHOTS.everyEntries), id).toBe(
          Math.floor((taken[i - 1]! - phase) / SNAPSHOTS.everyEntries) + 1,
        );
      }
    }
    const all = ['a', 'b', 'c'].flatMap(indices);
    expect(new Set(all).size).toBe(all.length);
  });

  it('a follower that missed compacted entries catches up through a chunked snapshot', async () => {
    const { cluster, events } = withEvents();
    await cluster.startWithLeader('a');
    cluster.network.isolate('c');
    await proposeMany(cluster, 'a', 0, 80);
    await cluster.clock.waitFor(
      () => cluster.member('a').node.inspect().firstIndex > cluster.member('c').node.status().lastIndex + 1,
      5_000,
      'the leader to compact past what c holds',
    );
    cluster.network.heal();
    const leaderValues = cluster.member('a').stateMachine.values;
    await cluster.clock.waitFor(
      () => cluster!.member('c').stateMachine.values.length === leaderValues.length,
      10_000,
      'c to catch up',
    );
    expect(cluster.member('c').stateMachine.values).toEqual(leaderValues);
    const installed = (events.get('c') ?? []).filter((event) => event.type === 'snapshot-installed');
    expect(installed.length).toBe(1);
    // The snapshot travelled in many chunks (64 bytes each), not one message.
    const chunks = cluster
      .member('a')
      .transport.sent.filter((m) => m.type === 'InstallSnapshot' && m.to === 'c');
    expect(chunks.length).toBeGreaterThan(5);
    expect(cluster.member('c').storage.inner.contents().snapshot?.index).toBeGreaterThan(20);
    // Replication carries on normally after the install.
    await proposeMany(cluster, 'a', 80, 3);
    await cluster.clock.waitFor(
      () => cluster!.member('c').stateMachine.values.at(-1) === 'v82',
      5_000,
      'c to apply new entries',
    );
  });

  it('a restarted node restores its state machine from its snapshot and replays the log after it', async () => {
    const { cluster } = withEvents();
    await cluster.startWithLeader('a');
    await proposeMany(cluster, 'a', 0, 50);
    await cluster.clock.waitFor(
      () => cluster!.member('b').storage.inner.contents().snapshot !== undefined,
      5_000,
      'a snapshot on b',
    );
    const before = cluster.member('b').stateMachine.values.slice();
    await cluster.member('b').node.stop();
    const restarted = cluster.restart('b');
    await restarted.node.start();
    await cluster.clock.waitFor(
      () => restarted.stateMachine.values.length === before.length,
      5_000,
      'b to replay',
    );
    expect(restarted.stateMachine.values).toEqual(before);
    expect(restarted.fatalErrors).toEqual([]);
  });
});
