import type { AppendEntries, Heartbeat, Message, NodeId } from '@raft/core';
import { describe, expect, it } from 'vitest';
import { sampleMessages, sampleTracedMessages } from './message-samples.js';
import { patternBytes, plainCopy, sameBytes, sampleEntry } from './sample-entries.js';
import { type TransportCluster, type TransportFactory, withCluster } from './transport-cluster.js';
import { waitFor } from './wait-for.js';

const DELIVERY_TIMEOUT_MS = 10_000;
const TEST_TIMEOUT_MS = 30_000;
const BURST = 1_000;

function heartbeat(from: NodeId, to: NodeId, readSeq: number): Heartbeat {
  return { type: 'Heartbeat', from, to, term: 1, commit: 0, readSeq };
}

/** Waits until `id` has received a message for which `match` holds, and returns it. */
async function arrival(cluster: TransportCluster, id: NodeId, match: (message: Message) => boolean) {
  await waitFor(() => cluster.received(id).some(match), { timeoutMs: DELIVERY_TIMEOUT_MS });
  return cluster.received(id).find(match)!;
}

const isMarker = (readSeq: number) => (message: Message) =>
  message.type === 'Heartbeat' && message.readSeq === readSeq;

/**
 * Registers vitest tests that check `factory`'s transports against the {@link Transport} contract:
 * every message type arrives at the right node with every field intact (binary data included, trace
 * contexts too), a
 * 1 MiB entry arrives whole, a burst of 1,000 messages all arrive, sends to unknown peers or after
 * stop never throw, address books can change at run time, and a stopped transport receives nothing.
 * Order is never required. Waits are bounded by deadlines, never fixed sleeps.
 *
 * @example
 * ```ts
 * import { describeTransport } from '@raft/testkit';
 * describeTransport('my transport', { setup: (ids) => makeTransports(ids), teardown: closeAll });
 * ```
 */
export function describeTransport(name: string, factory: TransportFactory): void {
  const test = (
    title: string,
    ids: readonly NodeId[],
    body: (cluster: TransportCluster) => Promise<void>,
    timeout = TEST_TIMEOUT_MS,
  ) => it(title, () => withCluster(factory, ids, body), timeout);

  describe(`Transport conformance: ${name}`, () => {
    test(
      'every message type reaches the addressed node with every field intact',
      ['a', 'b', 'c'],
      async (cluster) => {
        const samples = sampleMessages('a', 'b');
        cluster.transport('a').send(samples);
        for (const sample of samples) {
          const received = await arrival(cluster, 'b', (message) => message.type === sample.type);
          expect(plainCopy(received), sample.type).toEqual(plainCopy(sample));
        }
        // Everything for b is there; a message misrouted at the same time would have arrived too.
        expect(cluster.received('c')).toEqual([]);
        expect(cluster.received('a')).toEqual([]);
      },
    );

    test(
      'messages carrying trace context (codec version 2) arrive with their contexts intact',
      ['a', 'b'],
      async (cluster) => {
        const samples = sampleTracedMessages('a', 'b');
        cluster.transport('a').send(samples);
        for (const sample of samples) {
          const received = await arrival(cluster, 'b', (message) => message.type === sample.type);
          expect(plainCopy(received), sample.type).toEqual(plainCopy(sample));
        }
      },
    );

    test('every node reaches every other, in both directions', ['a', 'b', 'c'], async (cluster) => {
      const ids = ['a', 'b', 'c'];
      ids.forEach((from, i) => {
        cluster.transport(from).send(ids.filter((to) => to !== from).map((to) => heartbeat(from, to, i)));
      });
      for (const to of ids) {
        await waitFor(() => new Set(cluster.received(to).map((message) => message.from)).size === 2, {
          timeoutMs: DELIVERY_TIMEOUT_MS,
        });
        expect(cluster.received(to).every((message) => message.to === to)).toBe(true);
      }
    });

    test('an entry of 1 MiB arrives byte for byte', ['a', 'b'], async (cluster) => {
      const data = patternBytes(1024 * 1024, 7);
      const message: AppendEntries = {
        type: 'AppendEntries',
        from: 'a',
        to: 'b',
        term: 3,
        prevLogIndex: 9,
        prevLogTerm: 2,
        entries: [sampleEntry(10, 3, data)],
        leaderCommit: 9,
      };
      cluster.transport('a').send([message]);
      const received = await arrival(cluster, 'b', (m) => m.type === 'AppendEntries');
      const entry = received.type === 'AppendEntries' ? received.entries[0] : undefined;
      expect(entry?.index).toBe(10);
      expect(entry !== undefined && sameBytes(entry.data, data)).toBe(true);
    });

    test(`a burst of ${BURST} messages all arrive, in any order`, ['a', 'b'], async (cluster) => {
      const half = BURST / 2;
      const sender = cluster.transport('a');
      // Half one message per send, half in a single send: both paths must cope with a burst.
      for (let seq = 0; seq < half; seq++) sender.send([heartbeat('a', 'b', seq)]);
      sender.send(Array.from({ length: half }, (_, i) => heartbeat('a', 'b', half + i)));
      const seen = () =>
        new Set(
          cluster.received('b').map((message) => (message.type === 'Heartbeat' ? message.readSeq : -1)),
        );
      await waitFor(() => seen().size === BURST, { timeoutMs: DELIVERY_TIMEOUT_MS * 2 });
      expect([...seen()].sort((x, y) => x - y)).toEqual(Array.from({ length: BURST }, (_, seq) => seq));
    });

    test(
      'send to an unknown peer does not throw and does not stop other messages',
      ['a', 'b'],
      async (cluster) => {
        const sender = cluster.transport('a');
        expect(() => sender.send([heartbeat('a', 'nobody', 1)])).not.toThrow();
        expect(() => sender.send([heartbeat('a', 'nobody', 2), heartbeat('a', 'b', 3)])).not.toThrow();
        await arrival(cluster, 'b', isMarker(3));
      },
    );

    test('send after stop does not throw', ['a', 'b'], async (cluster) => {
      await cluster.stop('a');
      expect(() => cluster.transport('a').send([heartbeat('a', 'b', 1)])).not.toThrow();
    });

    test('a stopped transport receives nothing further', ['a', 'b', 'c'], async (cluster) => {
      await cluster.stop('b');
      const sender = cluster.transport('a');
      sender.send([heartbeat('a', 'b', 1), heartbeat('a', 'b', 2)]);
      sender.send([heartbeat('a', 'c', 3)]);
      // Bound the wait by a later message to another node rather than by a sleep.
      await arrival(cluster, 'c', isMarker(3));
      expect(cluster.received('b')).toEqual([]);
    });

    it.skipIf(factory.addresses === undefined)(
      'setPeers at run time lets messages reach a node added to the address book',
      () => {
        let book: ReadonlyMap<NodeId, string> = new Map();
        const withoutC = () => new Map([...book].filter(([id]) => id !== 'c'));
        return withCluster(
          factory,
          ['a', 'b', 'c'],
          async (cluster) => {
            const sender = cluster.transport('a');
            sender.setPeers(book);
            sender.send([heartbeat('a', 'c', 1), heartbeat('a', 'b', 2)]);
            await arrival(cluster, 'c', isMarker(1));
            // The peers already known stay reachable after the book is replaced.
            await arrival(cluster, 'b', isMarker(2));
          },
          {
            beforeStart(transports) {
              book = new Map(factory.addresses?.() ?? []);
              transports.get('a')?.setPeers(withoutC());
            },
          },
        );
      },
      TEST_TIMEOUT_MS,
    );
  });
}
