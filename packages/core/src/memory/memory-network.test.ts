import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/seeded-random.js';
import type { AppendEntries, Message } from '../engine/messages.js';
import type { NodeId } from '../engine/types.js';
import type { MessageDroppedEvent } from '../interfaces/observer.js';
import type { Transport } from '../interfaces/transport.js';
import { type MemoryNetwork, memoryNetwork } from './memory-network.js';

/** Delivery is one microtask per message, so one macrotask turn delivers everything queued before it. */
const drainMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

function heartbeat(from: NodeId, to: NodeId, readSeq = 0): Message {
  return { type: 'Heartbeat', from, to, term: 1, commit: 0, readSeq };
}

/** Starts a transport per id and collects what each receives. */
async function cluster(network: MemoryNetwork, ids: readonly NodeId[]) {
  const inbox = new Map<NodeId, Message[]>();
  const transports = new Map<NodeId, Transport>();
  for (const id of ids) {
    const received: Message[] = [];
    inbox.set(id, received);
    const transport = network.transport(id);
    await transport.start((message) => received.push(message));
    transports.set(id, transport);
  }
  const send = (from: NodeId, to: NodeId) => transports.get(from)?.send([heartbeat(from, to)]);
  /** Sends one message on every ordered pair and returns who heard from whom, as "from>to". */
  const reachable = async (): Promise<string[]> => {
    for (const received of inbox.values()) received.length = 0;
    for (const from of ids) for (const to of ids) if (from !== to) send(from, to);
    await drainMicrotasks();
    return [...inbox.values()].flatMap((received) => received.map((m) => `${m.from}>${m.to}`)).sort();
  };
  return { inbox, transports, send, reachable };
}

/** Every ordered pair of `ids` except those touching a cut link, sorted like `reachable()`. */
function pairs(ids: readonly NodeId[], cut: readonly string[] = []): string[] {
  const result: string[] = [];
  for (const from of ids) {
    for (const to of ids) {
      if (from === to || cut.includes([from, to].sort().join('-'))) continue;
      result.push(`${from}>${to}`);
    }
  }
  return result.sort();
}

describe('memoryNetwork delivery', () => {
  it('delivers asynchronously: nothing arrives inside send, everything after the microtasks run', async () => {
    const { inbox, send } = await cluster(memoryNetwork(), ['a', 'b']);
    send('a', 'b');
    expect(inbox.get('b')).toEqual([]);
    await drainMicrotasks();
    expect(inbox.get('b')).toEqual([heartbeat('a', 'b')]);
  });

  it('the receiver shares no mutable arrays or objects with the sender', async () => {
    const { inbox, transports } = await cluster(memoryNetwork(), ['a', 'b']);
    const entries = [{ index: 1, term: 1, type: 'normal' as const, data: Uint8Array.from([7]) }];
    const sent: AppendEntries = {
      type: 'AppendEntries',
      from: 'a',
      to: 'b',
      term: 1,
      prevLogIndex: 0,
      prevLogTerm: 0,
      entries,
      leaderCommit: 0,
    };
    transports.get('a')?.send([sent]);
    entries.push({ index: 2, term: 1, type: 'normal', data: new Uint8Array() });
    await drainMicrotasks();
    const received = inbox.get('b')?.[0] as AppendEntries;
    expect(received.entries).toHaveLength(1);
    expect(received).not.toBe(sent);
    expect(received.entries[0]).not.toBe(entries[0]);
    expect([...(received.entries[0]?.data ?? [])]).toEqual([7]);
  });

  it('drops silently messages to an unknown node or to one not started yet', async () => {
    const network = memoryNetwork();
    const { inbox, transports } = await cluster(network, ['a']);
    const late = network.transport('late');
    expect(() => transports.get('a')?.send([heartbeat('a', 'nobody'), heartbeat('a', 'late')])).not.toThrow();
    await drainMicrotasks();
    const received: Message[] = [];
    await late.start((message) => received.push(message));
    await drainMicrotasks();
    expect(received).toEqual([]);
    expect(inbox.get('a')).toEqual([]);
  });

  it('asking for a node twice gives the same transport while it runs', () => {
    const network = memoryNetwork();
    expect(network.transport('a')).toBe(network.transport('a'));
  });
});

describe('memoryNetwork stop', () => {
  it('a stopped transport receives nothing, even messages already in flight', async () => {
    const { inbox, transports, send } = await cluster(memoryNetwork(), ['a', 'b']);
    send('a', 'b');
    await transports.get('b')?.stop();
    send('a', 'b');
    await drainMicrotasks();
    expect(inbox.get('b')).toEqual([]);
  });

  it('a stopped sender sends nothing: send does not throw and in-flight messages are lost', async () => {
    const { inbox, transports, send } = await cluster(memoryNetwork(), ['a', 'b']);
    send('a', 'b');
    await transports.get('a')?.stop();
    expect(() => send('a', 'b')).not.toThrow();
    await drainMicrotasks();
    expect(inbox.get('b')).toEqual([]);
  });

  it('a restarted node gets a new transport that receives; the old one cannot start again', async () => {
    const network = memoryNetwork();
    const { transports, send } = await cluster(network, ['a', 'b']);
    const old = transports.get('b')!;
    await old.stop();
    await expect(old.start(() => {})).rejects.toMatchObject({ code: 'RAFT_STOPPED' });
    const restarted = network.transport('b');
    expect(restarted).not.toBe(old);
    const received: Message[] = [];
    await restarted.start((message) => received.push(message));
    send('a', 'b');
    await drainMicrotasks();
    expect(received).toEqual([heartbeat('a', 'b')]);
  });
});

describe('memoryNetwork partitions', () => {
  const ids = ['a', 'b', 'c'];

  it('disconnect cuts one link in both directions and leaves the others', async () => {
    const network = memoryNetwork();
    const { reachable } = await cluster(network, ids);
    network.disconnect('a', 'b');
    expect(await reachable()).toEqual(pairs(ids, ['a-b']));
  });

  it('connect restores a link that disconnect cut', async () => {
    const network = memoryNetwork();
    const { reachable } = await cluster(network, ids);
    network.disconnect('b', 'a');
    network.connect('a', 'b');
    expect(await reachable()).toEqual(pairs(ids));
  });

  it('a link cut while a message is in flight loses the message', async () => {
    const network = memoryNetwork();
    const { inbox, send } = await cluster(network, ids);
    send('a', 'b');
    network.disconnect('a', 'b');
    await drainMicrotasks();
    expect(inbox.get('b')).toEqual([]);
  });

  it('isolate cuts every link of a node, including to nodes that join later', async () => {
    const network = memoryNetwork();
    const { inbox, reachable } = await cluster(network, ids);
    network.isolate('c');
    expect(await reachable()).toEqual(pairs(ids, ['a-c', 'b-c']));
    const late = await cluster(network, ['d']);
    late.send('d', 'c');
    late.send('d', 'a');
    await drainMicrotasks();
    expect(inbox.get('c')).toEqual([]);
    expect(inbox.get('a')).toContainEqual(heartbeat('d', 'a'));
  });

  it('connect restores one link of an isolated node; isolating it again cuts that link too', async () => {
    const network = memoryNetwork();
    const { reachable } = await cluster(network, ids);
    network.isolate('c');
    network.connect('c', 'a');
    expect(await reachable()).toEqual(pairs(ids, ['b-c']));
    network.isolate('c');
    expect(await reachable()).toEqual(pairs(ids, ['a-c', 'b-c']));
  });

  it('heal restores every link cut by disconnect and isolate', async () => {
    const network = memoryNetwork();
    const { reachable } = await cluster(network, ids);
    network.disconnect('a', 'b');
    network.isolate('c');
    network.heal();
    expect(await reachable()).toEqual(pairs(ids));
  });
});

describe('memoryNetwork drop rate', () => {
  async function deliveredOutOf(network: MemoryNetwork, count: number): Promise<number[]> {
    const { inbox, transports } = await cluster(network, ['a', 'b']);
    const messages = Array.from({ length: count }, (_, seq) => heartbeat('a', 'b', seq));
    transports.get('a')?.send(messages);
    await drainMicrotasks();
    return (inbox.get('b') ?? []).map((message) => (message.type === 'Heartbeat' ? message.readSeq : -1));
  }

  it('drop rate 1 drops everything and 0 (the default) nothing', async () => {
    const network = memoryNetwork();
    expect(await deliveredOutOf(network, 100)).toHaveLength(100);
    network.setDropRate(1);
    expect(await deliveredOutOf(network, 100)).toHaveLength(0);
    network.setDropRate(0);
    expect(await deliveredOutOf(network, 100)).toHaveLength(100);
  });

  it('drop rate p drops about a fraction p, and the same seed drops the same messages', async () => {
    const seed = 20240611;
    const first = memoryNetwork({ random: seededRandom(seed) });
    first.setDropRate(0.3);
    const delivered = await deliveredOutOf(first, 1000);
    expect(delivered.length, `seed ${seed}`).toBeGreaterThan(600);
    expect(delivered.length, `seed ${seed}`).toBeLessThan(800);
    const second = memoryNetwork({ random: seededRandom(seed) });
    second.setDropRate(0.3);
    expect(await deliveredOutOf(second, 1000)).toEqual(delivered);
  });

  it('heal leaves the drop rate in force', async () => {
    const network = memoryNetwork();
    network.setDropRate(1);
    network.heal();
    expect(await deliveredOutOf(network, 10)).toHaveLength(0);
  });

  it('a drop rate outside [0, 1] is refused with RAFT_INVALID_OPTIONS', () => {
    const network = memoryNetwork();
    for (const p of [-0.1, 1.5, Number.NaN]) {
      expect(() => network.setDropRate(p)).toThrow(expect.objectContaining({ code: 'RAFT_INVALID_OPTIONS' }));
    }
  });
});

describe('memoryNetwork drop reports (onDrop)', () => {
  /** A network whose drops are collected as "from>to type reason". */
  function reportingNetwork(random?: () => number) {
    const drops: string[] = [];
    const events: MessageDroppedEvent[] = [];
    const network = memoryNetwork({
      ...(random === undefined ? {} : { random }),
      onDrop: (event, from) => {
        events.push(event);
        drops.push(`${from}>${event.to} ${event.messageType} ${event.reason}`);
      },
    });
    return { network, drops, events };
  }

  it('reports each message cut by the drop rate as injected, with an Observer-ready message-dropped event', async () => {
    const { network, drops, events } = reportingNetwork();
    const { inbox, send } = await cluster(network, ['a', 'b']);
    network.setDropRate(1);
    send('a', 'b');
    send('a', 'b');
    await drainMicrotasks();
    expect(inbox.get('b')).toEqual([]);
    expect(drops).toEqual(['a>b Heartbeat injected', 'a>b Heartbeat injected']);
    expect(events[0]).toEqual({
      type: 'message-dropped',
      messageType: 'Heartbeat',
      to: 'b',
      reason: 'injected',
    });
  });

  it('reports never inside send: the sender finishes its send before hearing of a drop', async () => {
    const { network, drops } = reportingNetwork();
    const { send } = await cluster(network, ['a', 'b']);
    network.setDropRate(1);
    send('a', 'b');
    expect(drops).toEqual([]);
    await drainMicrotasks();
    expect(drops).toHaveLength(1);
  });

  it('reports messages lost to disconnect and isolate as unreachable, and delivered ones not at all', async () => {
    const { network, drops } = reportingNetwork();
    const { send } = await cluster(network, ['a', 'b', 'c']);
    network.disconnect('a', 'b');
    network.isolate('c');
    send('a', 'b');
    send('b', 'a');
    send('a', 'c');
    send('c', 'b');
    await drainMicrotasks();
    expect(drops.sort()).toEqual([
      'a>b Heartbeat unreachable',
      'a>c Heartbeat unreachable',
      'b>a Heartbeat unreachable',
      'c>b Heartbeat unreachable',
    ]);
    network.heal();
    drops.length = 0;
    send('a', 'b');
    await drainMicrotasks();
    expect(drops).toEqual([]);
  });

  it('a link cut while a message is in flight reports that message unreachable', async () => {
    const { network, drops } = reportingNetwork();
    const { send } = await cluster(network, ['a', 'b']);
    send('a', 'b');
    network.disconnect('a', 'b');
    await drainMicrotasks();
    expect(drops).toEqual(['a>b Heartbeat unreachable']);
  });

  it('reports messages to an unknown, not yet started or stopped node as unreachable', async () => {
    const { network, drops } = reportingNetwork();
    const { transports, send } = await cluster(network, ['a', 'b']);
    network.transport('late');
    send('a', 'nobody');
    send('a', 'late');
    await transports.get('b')?.stop();
    send('a', 'b');
    await drainMicrotasks();
    expect(drops).toEqual([
      'a>nobody Heartbeat unreachable',
      'a>late Heartbeat unreachable',
      'a>b Heartbeat unreachable',
    ]);
  });

  it("reports a stopped sender's in-flight messages and its sends after stopping as stopped", async () => {
    const { network, drops } = reportingNetwork();
    const { transports, send } = await cluster(network, ['a', 'b']);
    send('a', 'b');
    await transports.get('a')?.stop();
    send('a', 'b');
    await drainMicrotasks();
    expect(drops).toEqual(['a>b Heartbeat stopped', 'a>b Heartbeat stopped']);
  });

  it('the same seed reports the same drops (reporting draws no randomness)', async () => {
    const seed = 7_654_321;
    const run = async () => {
      const { network, drops } = reportingNetwork(seededRandom(seed));
      const { transports } = await cluster(network, ['a', 'b']);
      network.setDropRate(0.5);
      transports.get('a')?.send(Array.from({ length: 50 }, (_, seq) => heartbeat('a', 'b', seq)));
      await drainMicrotasks();
      return drops.length;
    };
    const first = await run();
    expect(first, `seed ${seed}`).toBeGreaterThan(0);
    expect(first, `seed ${seed}`).toBeLessThan(50);
    expect(await run(), `seed ${seed}`).toBe(first);
  });
});
