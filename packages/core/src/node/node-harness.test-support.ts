/// <reference types="node" />
// A small deterministic harness for the driver's tests: a virtual clock, a cluster of RaftNodes over
// memoryNetwork, and storage/transport wrappers that let a test hold writes open and record sends.
// Test support only: imported by the driver's tests, never by the package.

import { seededRandom } from '../../test/seeded-random.js';
import type { Message } from '../engine/messages.js';
import type { RaftOptions } from '../engine/options.js';
import type { Entry, NodeId, SnapshotMeta } from '../engine/types.js';
import type { StoppedError } from '../errors.js';
import type { Clock, Timer } from '../interfaces/clock.js';
import type { Observer } from '../interfaces/observer.js';
import type { CommittedEntry, StateMachine } from '../interfaces/state-machine.js';
import type {
  PersistBatch,
  PersistedState,
  SnapshotReader,
  SnapshotWriter,
  Storage,
} from '../interfaces/storage.js';
import type { MessageHandler, Transport } from '../interfaces/transport.js';
import { type MemoryNetwork, memoryNetwork } from '../memory/memory-network.js';
import { type MemoryStorage, memoryStorage } from '../memory/memory-storage.js';
import type { TraceContextSource } from './proposal-trace-context.js';
import { createRaftNode, type RaftNode } from './raft-node.js';
import type { SnapshotOptions } from './snapshot-options.js';

export { seededRandom };

/** Lets every pending promise continuation and queued microtask (message delivery) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface VirtualTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** A manual clock: time moves only in {@link VirtualClock.advance}, which runs due timers in order. */
export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers: VirtualTimer[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): Timer {
    const timer: VirtualTimer = {
      at: this.time + Math.max(0, ms),
      seq: this.seq++,
      callback,
      cancelled: false,
    };
    // Keep the queue sorted by (at, seq): same-time timers fire in the order they were set.
    let position = this.timers.length;
    while (position > 0 && this.timers[position - 1]!.at > timer.at) position--;
    this.timers.splice(position, 0, timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Move time forward by `ms`, firing due timers one at a time and settling promises after each. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const next = this.timers[0];
      if (next === undefined || next.at > target) break;
      this.timers.shift();
      if (next.cancelled) continue;
      this.time = next.at;
      next.callback();
      await settle();
    }
    this.time = target;
    await settle();
  }

  /** Advance in small steps until `condition` holds; throws if `withinMs` of virtual time pass first. */
  async waitFor(condition: () => boolean, withinMs: number, what = 'condition'): Promise<void> {
    const deadline = this.time + withinMs;
    await settle();
    while (!condition()) {
      if (this.time >= deadline)
        throw new Error(`timed out after ${withinMs} virtual ms waiting for ${what}`);
      await this.advance(10);
    }
  }

  /** Advance until `promise` settles (or `withinMs` pass); returns how it settled. */
  async outcome<T>(
    promise: Promise<T>,
    withinMs: number,
  ): Promise<{ status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown }> {
    let result: { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown } | undefined;
    promise.then(
      (value) => {
        result = { status: 'fulfilled', value };
      },
      (reason: unknown) => {
        result = { status: 'rejected', reason };
      },
    );
    await this.waitFor(() => result !== undefined, withinMs, 'the promise to settle');
    return result!;
  }
}

/**
 * A {@link VirtualClock} with `defer`, run as the real clock does: after what is already due (each
 * {@link settle} lets them run). `deferred` counts the calls.
 */
export class DeferringClock extends VirtualClock {
  deferred = 0;

  defer(callback: () => void): void {
    this.deferred++;
    setImmediate(callback);
  }
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The trivial state machine: appends each entry's text, returns the entry's index. */
export class ListStateMachine implements StateMachine<number> {
  readonly values: string[] = [];
  readonly calls: number[] = [];
  /** Text that makes apply throw, to test fatal failures. */
  failOn: string | undefined;

  apply(entries: readonly CommittedEntry[]): number[] {
    this.calls.push(entries.length);
    return entries.map((entry) => {
      const text = decoder.decode(entry.data);
      if (text === this.failOn) throw new Error(`refusing to apply ${text}`);
      this.values.push(text);
      return entry.index;
    });
  }

  /** The values as JSON lines, three per chunk, so a snapshot spans several chunks. */
  snapshot(): AsyncIterable<Uint8Array> {
    const values = this.values.slice();
    return (async function* () {
      for (let at = 0; at < values.length; at += 3)
        yield bytes(`${JSON.stringify(values.slice(at, at + 3))}\n`);
    })();
  }

  async restore(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    let text = '';
    for await (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
    this.values.length = 0;
    for (const line of text.split('\n')) if (line !== '') this.values.push(...(JSON.parse(line) as string[]));
  }
}

/**
 * Wraps a Storage: counts persist calls, can hold them open until {@link GatedStorage.release}, can
 * make the next one fail, and reports completions to `onPersisted`.
 */
export class GatedStorage implements Storage {
  readonly batches: PersistBatch[] = [];
  inFlight = 0;
  failNext: Error | undefined;
  onPersisted: ((batch: PersistBatch) => void) | undefined;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  constructor(readonly inner: MemoryStorage) {}

  hold(): void {
    this.gate ??= new Promise((resolve) => {
      this.openGate = resolve;
    });
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
    this.openGate = undefined;
  }

  async persist(batch: PersistBatch): Promise<void> {
    this.batches.push(batch);
    this.inFlight++;
    try {
      if (this.gate !== undefined) await this.gate;
      const failure = this.failNext;
      if (failure !== undefined) {
        this.failNext = undefined;
        throw failure;
      }
      await this.inner.persist(batch);
      this.onPersisted?.(batch);
    } finally {
      this.inFlight--;
    }
  }

  load(): Promise<PersistedState> {
    return this.inner.load();
  }
  entries(from: number, to: number): Promise<Entry[]> {
    return this.inner.entries(from, to);
  }
  term(index: number): Promise<number | undefined> {
    return this.inner.term(index);
  }
  firstIndex(): Promise<number> {
    return this.inner.firstIndex();
  }
  lastIndex(): Promise<number> {
    return this.inner.lastIndex();
  }
  beginSnapshot(meta: SnapshotMeta): Promise<SnapshotWriter> {
    return this.inner.beginSnapshot(meta);
  }

  readSnapshot(): Promise<SnapshotReader | undefined> {
    return this.inner.readSnapshot();
  }

  compact(index: number): Promise<void> {
    return this.inner.compact(index);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Wraps a Transport, records every message the node sends, and can deliver messages synchronously. */
export class RecordingTransport implements Transport {
  readonly sent: Message[] = [];
  onSend: ((messages: readonly Message[]) => void) | undefined;
  private handler: MessageHandler | undefined;

  constructor(private readonly inner: Transport) {}

  start(handler: MessageHandler): Promise<void> {
    this.handler = handler;
    return this.inner.start(handler);
  }
  /** Hand `message` to the node now, as its transport would on arrival (not a microtask later). */
  deliver(message: Message): void {
    if (this.handler === undefined) throw new Error('the transport has not started');
    this.handler(message);
  }
  send(messages: readonly Message[]): void {
    this.sent.push(...messages);
    this.onSend?.(messages);
    this.inner.send(messages);
  }
  setPeers(peers: ReadonlyMap<NodeId, string>): void {
    this.inner.setPeers(peers);
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
}

/** One member of a {@link TestCluster}. */
export interface TestMember {
  readonly id: NodeId;
  readonly node: RaftNode<number>;
  readonly storage: GatedStorage;
  readonly transport: RecordingTransport;
  readonly stateMachine: ListStateMachine;
  readonly fatalErrors: StoppedError[];
}

export interface TestClusterOptions {
  readonly raft?: Omit<RaftOptions, 'id' | 'random'>;
  readonly seed?: number;
  readonly observer?: (id: NodeId) => Observer | undefined;
  readonly requestTimeoutMs?: number;
  /** Snapshot options; off (false) unless a test turns them on. */
  readonly snapshot?: SnapshotOptions | false;
  /** The node's `traceContext` capability, if any. */
  readonly traceContext?: (id: NodeId) => TraceContextSource | undefined;
  /** The shared clock; a plain {@link VirtualClock} (no `defer`) unless a test brings its own. */
  readonly clock?: VirtualClock;
}

/** N nodes on one memoryNetwork and one virtual clock, bootstrapped with every id as a voter. */
export class TestCluster {
  readonly clock: VirtualClock;
  readonly network: MemoryNetwork = memoryNetwork();
  readonly members = new Map<NodeId, TestMember>();
  private restarts = 0;

  constructor(
    readonly ids: readonly NodeId[],
    private readonly options: TestClusterOptions = {},
  ) {
    this.clock = options.clock ?? new VirtualClock();
    for (const id of ids) this.members.set(id, this.create(id, new GatedStorage(memoryStorage())));
  }

  member(id: NodeId): TestMember {
    const member = this.members.get(id);
    if (member === undefined) throw new Error(`no member ${id}`);
    return member;
  }

  async start(): Promise<void> {
    await Promise.all([...this.members.values()].map((member) => member.node.start()));
  }

  /** Start, let `first` campaign at once, and wait until it leads. */
  async startWithLeader(first: NodeId): Promise<TestMember> {
    await this.start();
    this.member(first).node.campaign();
    await this.clock.waitFor(() => this.leaderId() === first, 5_000, `${first} to lead`);
    return this.member(first);
  }

  /** The running leader with the highest term, if any. */
  leaderId(): NodeId | undefined {
    let best: { id: NodeId; term: number } | undefined;
    for (const member of this.members.values()) {
      let status: ReturnType<RaftNode<number>['status']>;
      try {
        status = member.node.status();
      } catch {
        continue;
      }
      if (status.role === 'leader' && (best === undefined || status.term > best.term)) {
        best = { id: member.id, term: status.term };
      }
    }
    return best?.id;
  }

  /** Replace member `id` by a new RaftNode over the same persisted data and a fresh state machine. */
  restart(id: NodeId): TestMember {
    const old = this.member(id);
    const storage = new GatedStorage(memoryStorage({ initial: old.storage.inner.contents() }));
    this.restarts++;
    const member = this.create(id, storage);
    this.members.set(id, member);
    return member;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.members.values()].map((member) => member.node.stop()));
  }

  /** A new node with empty storage and no initial members: it waits to be added to the cluster. */
  newcomer(id: NodeId): TestMember {
    const member = this.create(id, new GatedStorage(memoryStorage()), false);
    this.members.set(id, member);
    return member;
  }

  private create(id: NodeId, storage: GatedStorage, founder = true): TestMember {
    const transport = new RecordingTransport(this.network.transport(id));
    const stateMachine = new ListStateMachine();
    const fatalErrors: StoppedError[] = [];
    const observer = this.options.observer?.(id);
    const traceContext = this.options.traceContext?.(id);
    const seed = (this.options.seed ?? 1) * 7919 + this.ids.indexOf(id) * 104729 + this.restarts;
    const node = createRaftNode<number>({
      id,
      storage,
      transport,
      stateMachine,
      clock: this.clock,
      random: seededRandom(seed),
      ...(founder ? { initialMembers: this.ids } : {}),
      onFatalError: (error) => fatalErrors.push(error),
      snapshot: this.options.snapshot ?? false,
      ...(observer === undefined ? {} : { observer }),
      ...(traceContext === undefined ? {} : { traceContext }),
      ...(this.options.raft === undefined ? {} : { raft: this.options.raft }),
      ...(this.options.requestTimeoutMs === undefined
        ? {}
        : { requestTimeoutMs: this.options.requestTimeoutMs }),
    });
    return { id, node, storage, transport, stateMachine, fatalErrors };
  }
}
