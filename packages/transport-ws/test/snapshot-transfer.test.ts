import type { Server } from 'node:http';
import {
  type CommittedEntry,
  createRaftNode,
  memoryStorage,
  type RaftEvent,
  type RaftNode,
  type StateMachine,
} from '@raft/core';
import { waitFor } from '@raft/testkit/conformance';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocketTransport, webSocketTransport } from '../src/index.js';
import { capturingLogger } from './capturing-logger.js';
import { closeServer, listenOnLoopback, wsUrl } from './loopback-server.js';

const ENTRY_BYTES = 2 * 1024;
const SNAPSHOT = { everyEntries: 200, keepEntries: 10, chunkBytes: 16_384 } as const;

/** Keeps every applied payload; its snapshot is each payload behind a 4-byte length. */
class ListStateMachine implements StateMachine<number> {
  values: Uint8Array[] = [];

  apply(entries: readonly CommittedEntry[]): number[] {
    for (const entry of entries) this.values.push(entry.data);
    return entries.map((entry) => entry.index);
  }

  snapshot(): AsyncIterable<Uint8Array> {
    const captured = this.values.slice(); // the payloads themselves are never mutated
    return (async function* () {
      for (const value of captured) {
        const length = new Uint8Array(4);
        new DataView(length.buffer).setUint32(0, value.length);
        yield length;
        yield value;
      }
    })();
  }

  async restore(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const parts: Uint8Array[] = [];
    for await (const chunk of chunks) parts.push(chunk);
    const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      all.set(part, offset);
      offset += part.length;
    }
    const values: Uint8Array[] = [];
    for (let at = 0; at < all.length; ) {
      const length = new DataView(all.buffer, at, 4).getUint32(0);
      values.push(all.slice(at + 4, at + 4 + length));
      at += 4 + length;
    }
    this.values = values;
  }
}

let nodes: RaftNode<number>[] = [];
let servers: Server[] = [];

afterEach(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  await Promise.all(servers.map(closeServer));
  nodes = [];
  servers = [];
});

function payload(sequence: number): Uint8Array {
  const data = new Uint8Array(ENTRY_BYTES).fill(sequence & 0xff);
  new DataView(data.buffer).setUint32(0, sequence);
  return data;
}

describe('snapshot transfer between RaftNodes over the WebSocket transport (Raft §7)', () => {
  it('a follower that missed compacted entries catches up by InstallSnapshot while the leader keeps committing, with no election', async () => {
    const members = ['n1', 'n2', 'n3'];
    servers = await Promise.all(members.map(() => listenOnLoopback()));
    const book = new Map(members.map((id, i) => [id, wsUrl(servers[i]!)]));
    const events = new Map<string, RaftEvent[]>(members.map((id) => [id, []]));
    const machines = members.map(() => new ListStateMachine());
    let lostAppends = 0;
    const transports: WebSocketTransport[] = members.map((id, i) =>
      webSocketTransport(
        {
          id,
          server: servers[i]!,
          peers: book,
          clusterId: 'snapshots',
          secret: 'a long random cluster secret',
        },
        {
          logger: capturingLogger(),
          onDrop: (drop) => drop.messageType === 'AppendEntries' && lostAppends++,
        },
      ),
    );
    nodes = members.map((id, i) =>
      createRaftNode<number>({
        id,
        storage: memoryStorage(),
        transport: transports[i]!,
        // Election timeouts of 0.5-1 s: a loaded CI machine does not cause elections by itself.
        tickMs: 25,
        raft: { electionTicks: 20 },
        initialMembers: members,
        stateMachine: machines[i]!,
        snapshot: SNAPSHOT,
        observer: (event) => events.get(id)!.push(event),
      }),
    );
    await Promise.all(nodes.map((node) => node.start()));
    const leaderOf = () => {
      const leaders = nodes.map((node) => node.status().leader);
      return leaders[0] !== '' && leaders.every((leader) => leader === leaders[0]) ? leaders[0]! : undefined;
    };
    await waitFor(() => leaderOf() !== undefined, { timeoutMs: 10_000 });
    // Isolate a follower at the transport: its peers forget it and it forgets them.
    const leaderId = leaderOf()!;
    const leader = nodes[members.indexOf(leaderId)]!;
    const laggardId = members.find((id) => id !== leaderId)!;
    const laggard = nodes[members.indexOf(laggardId)]!;
    // The leader replicates to it (an acknowledged append moved it out of probing), so cutting it off
    // loses whole windows of appends rather than one probe.
    await waitFor(() => leader.status().progress.get(laggardId)?.state === 'replicate', {
      timeoutMs: 10_000,
    });
    const withoutLaggard = new Map([...book].filter(([id]) => id !== laggardId));
    transports.forEach((transport, i) => {
      transport.setPeers(members[i] === laggardId ? new Map() : withoutLaggard);
    });
    let sequence = 0;
    const proposeBatch = async (count: number) => {
      await Promise.all(Array.from({ length: count }, () => leader.propose(payload(sequence++))));
    };
    // One proposal per Ready (the leader sends one AppendEntries per follower per Ready), so that a
    // whole inflight window of appends to the laggard is lost.
    while (sequence < 2 * SNAPSHOT.everyEntries + 50) await proposeBatch(1);
    await waitFor(() => leader.inspect().firstIndex > laggard.status().lastIndex + 1, { timeoutMs: 10_000 });
    const termBefore = leader.status().term;
    // At least the default inflight window (256) of appends was lost: the leader must still probe.
    expect(lostAppends).toBeGreaterThanOrEqual(256);

    // Bring it back and keep proposing until it has installed the snapshot, and a little after.
    let installedAt = -1;
    const committedDuringTransfer: number[] = [];
    transports.forEach((transport) => {
      transport.setPeers(book);
    });
    const reconnectedAt = sequence;
    const eventsBefore = new Map(members.map((id) => [id, events.get(id)!.length]));
    const installed = () => events.get(laggardId)!.some((event) => event.type === 'snapshot-installed');
    while (installedAt < 0 || sequence < installedAt + 20) {
      const index = await leader.propose(payload(sequence++));
      if (installedAt < 0) committedDuringTransfer.push(index);
      if (installedAt < 0 && installed()) installedAt = sequence;
      if (sequence > reconnectedAt + 5_000) throw new Error('the snapshot was never installed');
    }
    const total = sequence;
    await waitFor(() => machines[members.indexOf(laggardId)]!.values.length === total, { timeoutMs: 10_000 });

    const installEvents = events.get(laggardId)!.filter((event) => event.type === 'snapshot-installed');
    const chunksSent = transports[members.indexOf(leaderId)]!.stats();
    console.log(
      `snapshot transfer: ${JSON.stringify(installEvents)}; ${committedDuringTransfer.length} proposals ` +
        `committed during the transfer; ${lostAppends} appends lost while isolated; leader sent ${chunksSent.bytesSent} bytes in ${chunksSent.framesSent} frames`,
    );
    expect(installEvents.length).toBeGreaterThanOrEqual(1);
    // The snapshot was larger than one chunk: it crossed the transport as many InstallSnapshot messages.
    expect((installEvents[0] as { bytes: number }).bytes).toBeGreaterThan(10 * SNAPSHOT.chunkBytes);
    // The leader committed throughout, and nobody started an election: heartbeats were never starved.
    expect(committedDuringTransfer.length).toBeGreaterThan(0);
    expect(leaderOf()).toBe(leaderId);
    for (const node of nodes) expect(node.status().term).toBe(termBefore);
    for (const id of members) {
      const elections = events
        .get(id)!
        .slice(eventsBefore.get(id))
        .filter((event) => event.type === 'role-changed' && event.role === 'candidate');
      expect({ id, elections }).toEqual({ id, elections: [] });
    }
    // The follower's state is the leader's, payload for payload.
    const expected = machines[members.indexOf(leaderId)]!.values.map((value) =>
      new DataView(value.buffer).getUint32(0),
    );
    const actual = machines[members.indexOf(laggardId)]!.values.map((value) =>
      new DataView(value.buffer, value.byteOffset).getUint32(0),
    );
    expect(actual).toEqual(expected);
    expect(actual).toEqual(Array.from({ length: total }, (_, i) => i));
  });
});
