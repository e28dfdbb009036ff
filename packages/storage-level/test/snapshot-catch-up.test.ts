import {
  type CommittedEntry,
  createRaftNode,
  memoryNetwork,
  type RaftEvent,
  type RaftNode,
} from '@raft/core';
import { waitFor } from '@raft/testkit/conformance';
import { afterAll, expect, it } from 'vitest';
import { type LevelStorage, openLevelStorage } from '../src/index.js';
import { TempDirectories } from './temp-directories.js';

// Raft §7 on disk: a follower cut off while the cluster commits 100,000 entries finds, once healed,
// that the leader compacted the entries it misses, and catches up by installing the leader's
// snapshot through LevelStorage, then replicating the rest of the log.
const directories = new TempDirectories();
afterAll(() => directories.removeAll());

const ENTRIES = Number(process.env['RAFT_CATCH_UP_ENTRIES'] ?? 100_000);
/** Concurrent proposals per round: the driver groups them into a few synced batches. */
const CONCURRENT = 2_000;
const SNAPSHOTS = { everyEntries: 10_000, keepEntries: 1_000, chunkBytes: 16, windowChunks: 2 } as const;
const members = ['a', 'b', 'c'];

/** A small state with a snapshot: how many entries were applied and a hash of all their data. */
class HashStateMachine {
  count = 0;
  hash = 0x811c9dc5;

  apply(entries: readonly CommittedEntry[]): number[] {
    return entries.map((entry) => {
      this.count++;
      // FNV-1a over every byte applied: equal only if the same entries were applied in the same order.
      for (const byte of entry.data) this.hash = Math.imul(this.hash ^ byte, 0x01000193) >>> 0;
      return entry.index;
    });
  }

  async *snapshot(): AsyncIterable<Uint8Array> {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setFloat64(0, this.count);
    new DataView(bytes.buffer).setUint32(8, this.hash);
    // Yielded in two pieces, so the snapshot is more than one chunk on disk and on the wire.
    yield bytes.subarray(0, 7);
    yield bytes.subarray(7);
  }

  async restore(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const bytes = new Uint8Array(16);
    let at = 0;
    for await (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    expect(at).toBe(16);
    this.count = new DataView(bytes.buffer).getFloat64(0);
    this.hash = new DataView(bytes.buffer).getUint32(8);
  }
}

interface Member {
  readonly id: string;
  readonly node: RaftNode<number>;
  readonly storage: LevelStorage;
  readonly state: HashStateMachine;
  readonly events: RaftEvent[];
}

const failures: unknown[] = [];
const traffic = new Map<string, number>();
let healed = false;

it(`a follower that missed ${ENTRIES} entries catches up through a snapshot on LevelStorage (Raft §7)`, async () => {
  const network = memoryNetwork();
  const cluster: Member[] = await Promise.all(
    members.map(async (id) => {
      const storage = await openLevelStorage({ directory: directories.makeMissing(`catch-up-${id}`) });
      const state = new HashStateMachine();
      const events: RaftEvent[] = [];
      const node = createRaftNode({
        id,
        storage,
        transport: network.transport(id),
        stateMachine: state,
        tickMs: 10,
        initialMembers: members,
        snapshot: SNAPSHOTS,
        requestTimeoutMs: 30_000,
        observer: (event) => {
          if (event.type === 'messages-sent' || event.type === 'messages-received') {
            // Only snapshot traffic is kept (as a count per direction), for the report on a failure.
            for (const message of event.messages) {
              if (message.type.startsWith('InstallSnapshot') || healed) {
                const key = `${event.type} ${message.type}`;
                traffic.set(`${id} ${key}`, (traffic.get(`${id} ${key}`) ?? 0) + 1);
              }
            }
            return;
          }
          if (event.type !== 'applied' && event.type !== 'committed' && !event.type.startsWith('proposal'))
            events.push(event);
        },
        onFatalError: (error) => failures.push(error),
      });
      return { id, node, storage, state, events };
    }),
  );
  try {
    await Promise.all(cluster.map((member) => member.node.start()));
    await waitFor(() => cluster.some((member) => member.node.status().role === 'leader'), {
      timeoutMs: 10_000,
    });
    const leader = cluster.find((member) => member.node.status().role === 'leader')!;
    // Cut off once the leader replicates to it: the appends it then sends are lost, a whole window
    // of them, and the leader must notice and fall back to a snapshot.
    const lagging = cluster.find((member) => member !== leader)!;
    await waitFor(() => leader.node.status().progress.get(lagging.id)?.state === 'replicate', {
      timeoutMs: 10_000,
    });
    network.isolate(lagging.id);
    const behindAt = lagging.node.status().lastIndex;

    let proposed = 0;
    while (proposed < ENTRIES) {
      const round = Math.min(CONCURRENT, ENTRIES - proposed);
      const writes: Promise<number>[] = [];
      for (let i = 0; i < round; i++) {
        const data = new Uint8Array(8);
        new DataView(data.buffer).setFloat64(0, proposed + i);
        writes.push(leader.node.propose(data));
      }
      await Promise.all(writes);
      proposed += round;
    }
    // The leader compacted past what the lagging follower holds: only a snapshot can bring it back.
    expect(await leader.storage.firstIndex()).toBeGreaterThan(behindAt + 1);
    expect(leader.events.some((event) => event.type === 'snapshot-created')).toBe(true);

    network.heal();
    healed = true;
    const healedAt = Date.now();
    await waitFor(() => lagging.state.count === leader.state.count, {
      timeoutMs: 45_000,
      intervalMs: 20,
    }).catch((error: unknown) => {
      const seen = lagging.events.filter(
        (event) => event.type.startsWith('snapshot') || event.type === 'role-changed',
      );
      const progress = leader.node.status().progress.get(lagging.id);
      const sent = leader.events.filter((event) => event.type.startsWith('snapshot')).length;
      console.log(
        `not caught up: applied ${lagging.state.count} of ${leader.state.count}; leader's progress of it`,
        progress,
        { failures, sent, leaderRole: leader.node.status().role, traffic },
        seen,
      );
      throw error;
    });
    console.log(`caught up ${Date.now() - healedAt} ms after the heal`);
    expect(lagging.state.count).toBe(ENTRIES);
    expect(lagging.state.hash).toBe(leader.state.hash);
    const installed = lagging.events.filter((event) => event.type === 'snapshot-installed');
    expect(installed.length).toBeGreaterThanOrEqual(1);
    expect(failures).toEqual([]);
    // On disk: the follower's store holds the installed snapshot and a log that starts after it.
    const stored = await lagging.storage.readSnapshot();
    expect(stored?.meta.index).toBeGreaterThanOrEqual(installed[0]!.index);
    expect(await lagging.storage.firstIndex()).toBeGreaterThan(behindAt + 1);
  } finally {
    await Promise.all(cluster.map((member) => member.node.stop()));
    await Promise.all(cluster.map((member) => member.storage.close()));
  }
}, 90_000);
