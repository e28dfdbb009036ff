import {
  createRaftNode,
  type MemoryNetwork,
  type MemoryStorage,
  memoryNetwork,
  memoryStorage,
  type RaftEvent,
  type RaftNode,
} from '@raft/core';
import { waitFor } from '@raft/testkit/conformance';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeKvCommand } from '../src/kv/kv-command.js';
import type { KvResult } from '../src/kv/kv-state.js';
import { KvStateMachine } from '../src/kv/kv-state-machine.js';

// The KV state machine inside core's real snapshot machinery (memory storage supports snapshots;
// @raft/storage-level does not yet, so the process tests cannot exercise this path).

interface Member {
  readonly id: string;
  node: RaftNode<KvResult>;
  store: KvStateMachine;
  storage: MemoryStorage;
  readonly events: RaftEvent[];
}

const ids = ['a', 'b', 'c'];
let network: MemoryNetwork;
let members: Member[] = [];

function startMember(id: string, storage: MemoryStorage): Member {
  const store = new KvStateMachine();
  const events: RaftEvent[] = [];
  const node = createRaftNode<KvResult>({
    id,
    storage,
    transport: network.transport(id),
    stateMachine: store,
    initialMembers: ids,
    tickMs: 10,
    snapshot: { everyEntries: 20, keepEntries: 5 },
    observer: (event) => {
      if (event.type === 'snapshot-created' || event.type === 'snapshot-installed') events.push(event);
    },
  });
  return { id, node, store, storage, events };
}

afterEach(async () => {
  await Promise.all(members.map((member) => member.node.stop()));
  members = [];
});

async function leaderOf(among: Member[]): Promise<Member> {
  let leader: Member | undefined;
  await waitFor(
    () => {
      leader = among.find((member) => member.node.status().role === 'leader');
      return leader !== undefined && among.every((member) => member.node.status().leader === leader!.id);
    },
    { timeoutMs: 10_000 },
  );
  return leader!;
}

const put = (member: Member, key: string, value: string, idempotencyKey?: string) =>
  member.node.propose(
    encodeKvCommand({
      type: 'put',
      key,
      value: new TextEncoder().encode(value),
      condition: { kind: 'none' },
      stamp: 1_000,
      ...(idempotencyKey === undefined ? {} : { idempotency: { key: idempotencyKey, expiresAt: 1_000_000 } }),
    }),
  );

function contents(member: Member) {
  return member.store
    .list('', 10_000)
    .items.map((item) => [
      item.key,
      item.revision,
      new TextDecoder().decode(member.store.get(item.key)!.value),
    ]);
}

describe('KV state machine with core snapshots', () => {
  it('a follower cut off past the compaction point catches up through an installed snapshot, idempotency records included', async () => {
    network = memoryNetwork();
    members = ids.map((id) => startMember(id, memoryStorage()));
    await Promise.all(members.map((member) => member.node.start()));
    const leader = await leaderOf(members);
    const lagging = members.find((member) => member !== leader)!;
    await put(leader, 'first', 'x', 'idem-first');
    network.isolate(lagging.id);
    for (let i = 0; i < 60; i++) await put(leader, `key-${i % 25}`, `v${i}`);
    await waitFor(() => leader.events.some((event) => event.type === 'snapshot-created'), {
      timeoutMs: 10_000,
    });
    network.heal();
    await waitFor(() => lagging.node.status().appliedIndex >= leader.node.status().commitIndex, {
      timeoutMs: 10_000,
    });
    expect(lagging.events.some((event) => event.type === 'snapshot-installed')).toBe(true);
    expect(contents(lagging)).toEqual(contents(leader));
    // The installed snapshot carried the deduplication table: a retry through the caught-up follower is not re-applied.
    const retried = await put(lagging, 'first', 'y', 'idem-first');
    expect(retried).toEqual({ status: 'ok', revision: leader.store.get('first')!.revision });
    expect(new TextDecoder().decode(leader.store.get('first')!.value)).toBe('x');
  });

  it('a restarted node recovers from its snapshot plus the log after it', async () => {
    network = memoryNetwork();
    members = ids.map((id) => startMember(id, memoryStorage()));
    await Promise.all(members.map((member) => member.node.start()));
    const leader = await leaderOf(members);
    for (let i = 0; i < 47; i++) await put(leader, `key-${i % 10}`, `v${i}`);
    const restarted = members.find((member) => member !== leader)!;
    await waitFor(
      () =>
        restarted.events.some((event) => event.type === 'snapshot-created') &&
        restarted.node.status().appliedIndex >= leader.node.status().commitIndex,
      { timeoutMs: 10_000 },
    );
    const before = contents(restarted);
    await restarted.node.stop();
    const reopened = startMember(restarted.id, memoryStorage({ initial: restarted.storage.contents() }));
    members = members.map((member) => (member === restarted ? reopened : member));
    await reopened.node.start();
    await waitFor(() => reopened.node.status().appliedIndex >= leader.node.status().commitIndex, {
      timeoutMs: 10_000,
    });
    expect(contents(reopened)).toEqual(before);
  });
});
