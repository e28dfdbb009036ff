import { decodeConfig } from '../codec/config-codec.js';
import { allMembers, sameAddresses } from '../engine/config.js';
import type { Message } from '../engine/messages.js';
import { type RaftOptions, resolveOptions } from '../engine/options.js';
import { Raft } from '../engine/raft.js';
import type { Ready } from '../engine/ready.js';
import type { RaftInspection, RaftStatus } from '../engine/status.js';
import type { ClusterConfig, Entry, HardState, NodeId, RandomSource } from '../engine/types.js';
import { NotLeaderError, StoppedError } from '../errors.js';
import { type Clock, systemClock, type Timer } from '../interfaces/clock.js';
import type { Observer } from '../interfaces/observer.js';
import type { StateMachine } from '../interfaces/state-machine.js';
import type { Storage } from '../interfaces/storage.js';
import type { Transport } from '../interfaces/transport.js';
import { DeferredCommit } from './deferred-commit.js';
import { ExclusiveTasks } from './exclusive-tasks.js';
import { loadInitialState, refuseIfRemoved } from './initial-state.js';
import { proposalTraceContext, type TraceContextSource } from './proposal-trace-context.js';
import { ProposalTracker } from './proposal-tracker.js';
import { ReadTracker } from './read-tracker.js';
import { orderedObserver, type ReceivedMessages } from './received-messages.js';
import { rejectionError } from './rejection-error.js';
import {
  abortReason,
  type ProposeOptions,
  type ReadOptions,
  type RequestOptions,
  RequestWaiter,
} from './request-waiter.js';
import { type SnapshotHost, snapshotsSupported } from './snapshot-host.js';
import {
  type ResolvedSnapshotOptions,
  resolveSnapshotOptions,
  type SnapshotOptions,
} from './snapshot-options.js';
import { SnapshotReceiver } from './snapshot-receiver.js';
import { SnapshotSender } from './snapshot-sender.js';
import { SnapshotTaker } from './snapshot-taker.js';

/** Options of {@link createRaftNode}: the injected components and the node's tunables. */
export interface RaftNodeOptions<Result> {
  readonly id: NodeId;
  readonly storage: Storage;
  readonly transport: Transport;
  readonly stateMachine: StateMachine<Result>;
  /** Default systemClock(). The simulator passes a virtual clock. */
  readonly clock?: Clock;
  /** Default Math.random; the simulator passes a seeded PRNG. */
  readonly random?: RandomSource;
  readonly observer?: Observer;
  /** Milliseconds per engine tick. Default 100 (so electionTicks 10 = 1-2 s election timeout). */
  readonly tickMs?: number;
  /** Engine tunables (electionTicks, heartbeatTicks, preVote, checkQuorum, leaseRead, forwardProposals, ...). */
  readonly raft?: Omit<RaftOptions, 'id' | 'random'>;
  /**
   * Bootstrap: when the storage is empty, start a new cluster with these voters (every founding member
   * passes the same list). Ignored when storage holds state.
   */
  readonly initialMembers?: readonly NodeId[];
  /** Addresses handed to transport.setPeers on start. */
  readonly peers?: ReadonlyMap<NodeId, string>;
  /** Default deadline for propose/read/transferLeadership. Default 10 election timeouts. */
  readonly requestTimeoutMs?: number;
  /**
   * Called once if the node fails: the state machine's `apply` or `storage.persist` threw (or the engine
   * did). The node has stopped by then and every pending request was rejected with the same
   * {@link StoppedError}, whose `cause` is the original error. Without this handler the error is raised
   * as an unhandled promise rejection, so a failure can never go unnoticed.
   */
  readonly onFatalError?: (error: StoppedError) => void;
  /**
   * Snapshots and log compaction (Raft §7), on whenever the state machine implements `snapshot` and
   * `restore` and the storage supports snapshots; `false` turns them off. See {@link SnapshotOptions}.
   */
  readonly snapshot?: SnapshotOptions | false;
  /**
   * Trace context propagation (optional capability, off by default): called in `propose()` right after
   * the `proposal-started` event with that event's `proposalId`, it answers the proposal's trace
   * context, 26 bytes of W3C Trace Context in binary form, or `undefined` to leave it untraced
   * (`@raft/otel`'s `raftInstrumentation` returns one as `traceContext`). The context travels with the
   * entry to the leader and every follower (`Propose.trace`, `AppendEntries.traces`), never into the
   * log or the state machine; an answer that throws or has another length leaves the proposal untraced.
   *
   * Messages carrying a context are encoded as codec version 2, which earlier releases cannot decode:
   * set this only once every member runs a release that does (after a rolling upgrade). A member on
   * an older release refuses every frame that carries a context (a transport may also drop the rest
   * of the frame or the connection), so it would fall behind until the leader forgets those contexts
   * (after 1,024 newer traced entries, or a new leader).
   */
  readonly traceContext?: TraceContextSource;
}

export type { AbortSignalLike, ProposeOptions, ReadOptions, RequestOptions } from './request-waiter.js';

/** A running Raft member: the engine plus storage, transport, state machine and clock. */
export interface RaftNode<Result> {
  readonly id: NodeId;
  /** Load storage (bootstrapping if empty and initialMembers is set), start the transport and the tick timer. */
  start(): Promise<void>;
  /**
   * Resolves with the state machine's result for this entry once applied on THIS node; rejects
   * NotLeaderError (with leaderHint), ProposalDroppedError, TimeoutError (outcome unknown),
   * StoppedError. Works on followers too (forwarded to the leader) unless forwarding is off. `data`
   * must not be empty (an empty entry is a leader's no-op) and is copied, unless handed over with
   * {@link ProposeOptions.transfer}.
   */
  propose(data: Uint8Array, options?: ProposeOptions): Promise<Result>;
  /**
   * Linearizable read barrier (ReadIndex): resolves once this node's state machine reflects every
   * write committed before the call; then read your state machine directly. Same errors as propose.
   * With `lease: true` the leader may skip the heartbeat round (see {@link ReadOptions.lease}).
   */
  read(options?: ReadOptions): Promise<void>;
  /**
   * Leader only: hand leadership to `to`; resolves when this node sees `to` as leader. Rejects
   * NotLeaderError when this node is not the leader, TimeoutError, StoppedError.
   */
  transferLeadership(to: NodeId, options?: RequestOptions): Promise<void>;
  /**
   * Leader only: change the membership to `target` (voters, learners and their addresses; no outgoing
   * voters). The node goes through a joint configuration when the change needs one (more than one
   * voter added or removed) and leaves it by itself. Resolves with the final configuration once this
   * node applied it. Rejects NotLeaderError, ConfigChangeInProgressError (one change at a time),
   * InvalidConfigError, TimeoutError (the change may still complete), StoppedError. Prefer the safe
   * workflows of `@raft/membership`, which add members as learners and promote them once caught up.
   */
  changeMembership(target: ClusterConfig, options?: RequestOptions): Promise<ClusterConfig>;
  /** Start an election now (tests, operators). A no-op unless the node is running. */
  campaign(): void;
  /** The engine's view of this node. Throws StoppedError before start() has loaded the storage. */
  status(): RaftStatus;
  /**
   * The leader this node knows of ('' when none): `status().leader` without building the whole status
   * (for checks on every request). Throws StoppedError before start() has loaded the storage.
   */
  leader(): NodeId;
  /** The engine's log and durable state, for invariant checkers (read-only, do not keep). */
  inspect(): RaftInspection;
  /**
   * Graceful stop: reject pending requests with StoppedError, cancel timers, stop the transport. Does
   * NOT close storage (the owner does). Idempotent. A write already handed to storage may still land.
   */
  stop(): Promise<void>;
}

/**
 * Create a node. Nothing happens until {@link RaftNode.start}.
 *
 * @throws InvalidOptionsError for engine options that cannot work; RangeError for a bad tickMs.
 * @example
 * ```ts
 * const node = createRaftNode({ id: 'a', storage, transport, stateMachine, initialMembers: ['a', 'b', 'c'] });
 * await node.start();
 * const result = await node.propose(new TextEncoder().encode('set x 1'));
 * ```
 */
export function createRaftNode<Result>(options: RaftNodeOptions<Result>): RaftNode<Result> {
  return new DriverNode(options);
}

type Lifecycle = 'new' | 'starting' | 'running' | 'stopped';

interface PendingMembershipChange {
  readonly target: ClusterConfig;
  readonly waiter: RequestWaiter<ClusterConfig>;
}

/** True when `config` is exactly the (non-joint) configuration `target` asks for. */
function reaches(config: ClusterConfig, target: ClusterConfig): boolean {
  const same = (a: readonly NodeId[], b: readonly NodeId[]) =>
    a.length === b.length && a.every((id) => b.includes(id));
  return (
    config.outgoingVoters.length === 0 &&
    same(config.voters, target.voters) &&
    same(config.learners, target.learners) &&
    sameAddresses(config, target)
  );
}

interface PendingTransfer {
  readonly to: NodeId;
  readonly waiter: RequestWaiter<void>;
}

/** Whether the state machine sees an entry: only application data (not no-ops, not configurations). */
function isApplicationEntry(entry: Entry): boolean {
  return entry.type === 'normal' && entry.data.length > 0;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class DriverNode<Result> implements RaftNode<Result> {
  readonly id: NodeId;
  private readonly clock: Clock;
  /** The user's observer behind a flush of {@link received}: any event comes after the messages received before it. */
  private readonly observer: Observer | undefined;
  private readonly received: ReceivedMessages | undefined;
  private readonly tickMs: number;
  private readonly requestTimeoutMs: number;
  private readonly engineOptions: RaftOptions;
  private lifecycle: Lifecycle = 'new';
  private engine: Raft | undefined;
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private transportStarted = false;
  private tickTimer: Timer | undefined;
  /** Exactly one Ready is carried out at a time; inputs arriving meanwhile go into the next one. */
  private batchInFlight = false;
  /** A Ready's durable write is in flight (entries committed meanwhile may be applied at once). */
  private writing = false;
  private earlyApplyScheduled = false;
  /** Applies run one after another, in log order: the Ready's own and those made during a write. */
  private applying: Promise<boolean> = Promise.resolve(true);
  private appliedIndex = 0;
  private committedIndex = 0;
  private readonly deferredCommit = new DeferredCommit();
  /** Only kept while an observer is attached: whether to sample the leader's replication progress. */
  private observedLeader = false;
  /** Proposal and read ids share one counter: unique per node instance, as the engine requires. */
  private nextRequestId: number;
  private failure: StoppedError | undefined;
  private readonly proposals: ProposalTracker<Result>;
  private readonly reads: ReadTracker;
  private transfers: PendingTransfer[] = [];
  private readonly membershipChanges = new Map<number, PendingMembershipChange>();
  private readonly exclusiveTasks = new ExclusiveTasks();
  private readonly snapshotOptions: ResolvedSnapshotOptions | undefined;
  private snapshots:
    | { readonly sender: SnapshotSender; readonly receiver: SnapshotReceiver; readonly taker: SnapshotTaker }
    | undefined;
  private electionTicks: number;

  constructor(private readonly options: RaftNodeOptions<Result>) {
    this.id = options.id;
    this.clock = options.clock ?? systemClock();
    const ordered = options.observer === undefined ? undefined : orderedObserver(options.observer);
    this.observer = ordered?.emit;
    this.received = ordered?.received;
    this.tickMs = options.tickMs ?? 100;
    if (!(this.tickMs > 0 && Number.isFinite(this.tickMs)))
      throw new RangeError('tickMs must be a positive number');
    // Forwarded proposals are deduplicated by (node, id) on the leader, so ids must not repeat across
    // restarts: each run starts at a random multiple of 2^20 (2^32 bases, all below 2^53).
    this.nextRequestId = Math.floor((options.random ?? Math.random)() * 2 ** 32) * 2 ** 20 + 1;
    this.engineOptions =
      options.random === undefined
        ? { ...options.raft, id: options.id }
        : { ...options.raft, id: options.id, random: options.random };
    // Validate now so a bad configuration fails at construction, not inside start().
    const resolved = resolveOptions(this.engineOptions);
    this.electionTicks = resolved.electionTicks;
    this.snapshotOptions =
      options.snapshot === false || !snapshotsSupported(options)
        ? undefined
        : resolveSnapshotOptions(options.snapshot);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10 * resolved.electionTicks * this.tickMs;
    const observer = this.observer;
    const clock = this.clock;
    this.proposals = new ProposalTracker<Result>(
      observer === undefined
        ? undefined
        : {
            accepted: (proposals) => observer({ type: 'proposals-accepted', proposals }),
            settled: (outcome, reason, proposals) =>
              observer({ type: 'proposals-settled', outcome, reason, settledAt: clock.now(), proposals }),
          },
    );
    this.reads = new ReadTracker(
      observer === undefined
        ? undefined
        : (outcome, startedAt) =>
            observer({ type: 'read-settled', outcome, durationMs: clock.now() - startedAt }),
    );
  }

  start(): Promise<void> {
    // A node instance runs once: after stop (or a failure) a restart is a new node over the same storage.
    if (this.lifecycle === 'stopped') {
      return Promise.reject(
        this.failure ?? new StoppedError('the node is stopped; create a new one to restart'),
      );
    }
    this.startPromise ??= this.startOnce();
    return this.startPromise;
  }

  propose(data: Uint8Array, options?: ProposeOptions): Promise<Result> {
    const refusal = this.refusal(options);
    if (refusal !== undefined) return Promise.reject(refusal);
    if (data.length === 0) return Promise.reject(new RangeError('a proposal must carry data'));
    const id = this.nextRequestId++;
    const startedAt = this.clock.now();
    // Emitted before anything else and synchronously, so an observer sees the caller's context
    // (tracing); skipped when the observer says it has no use for it (the one per-proposal event).
    if (this.observer !== undefined && (this.options.observer?.wantsProposalStarted?.(id, startedAt) ?? true))
      this.observer({ type: 'proposal-started', proposalId: id, bytes: data.length, startedAt });
    const traceContext = this.options.traceContext;
    const context = traceContext === undefined ? undefined : proposalTraceContext(traceContext, id);
    const timeoutMs = options?.timeoutMs ?? this.requestTimeoutMs;
    const promise = this.proposals.open(id, this.clock, timeoutMs, options, startedAt);
    // Copied (unless handed over) so a caller reusing its buffer cannot change an entry in the log.
    const entryData = options?.transfer === true ? data : data.slice();
    this.input((engine) => engine.propose(id, entryData, context));
    return promise;
  }

  read(options?: ReadOptions): Promise<void> {
    const refusal = this.refusal(options);
    if (refusal !== undefined) return Promise.reject(refusal);
    const id = this.nextRequestId++;
    const promise = this.reads.open(id, this.clock, options?.timeoutMs ?? this.requestTimeoutMs, options);
    const lease = options?.lease === true;
    this.input((engine) => engine.readIndex(id, lease));
    return promise;
  }

  transferLeadership(to: NodeId, options?: RequestOptions): Promise<void> {
    const refusal = this.refusal(options);
    if (refusal !== undefined) return Promise.reject(refusal);
    const status = this.status();
    if (status.role !== 'leader') return Promise.reject(new NotLeaderError(status.leader));
    if (to === this.id) return Promise.resolve();
    const waiter = new RequestWaiter<void>(
      this.clock,
      options?.timeoutMs ?? this.requestTimeoutMs,
      options,
      () => {
        this.transfers = this.transfers.filter((transfer) => transfer.waiter !== waiter);
      },
    );
    this.transfers.push({ to, waiter });
    this.input((engine) => engine.transferLeadership(to));
    return waiter.promise;
  }

  changeMembership(target: ClusterConfig, options?: RequestOptions): Promise<ClusterConfig> {
    const refusal = this.refusal(options);
    if (refusal !== undefined) return Promise.reject(refusal);
    const status = this.status();
    if (status.role !== 'leader') return Promise.reject(new NotLeaderError(status.leader));
    const id = this.nextRequestId++;
    const waiter = new RequestWaiter<ClusterConfig>(
      this.clock,
      options?.timeoutMs ?? this.requestTimeoutMs,
      options,
      () => this.membershipChanges.delete(id),
    );
    this.membershipChanges.set(id, { target, waiter });
    this.input((engine) => engine.proposeConfig(id, target));
    return waiter.promise;
  }

  campaign(): void {
    if (this.lifecycle === 'running') this.input((engine) => engine.campaign());
  }

  status(): RaftStatus {
    return this.loadedEngine().status();
  }

  leader(): NodeId {
    return this.loadedEngine().knownLeader();
  }

  inspect(): RaftInspection {
    return this.loadedEngine().inspect();
  }

  stop(): Promise<void> {
    this.stopPromise ??= this.stopOnce();
    return this.stopPromise;
  }

  private async startOnce(): Promise<void> {
    this.lifecycle = 'starting';
    try {
      const initial = await loadInitialState(this.options.storage, this.options.initialMembers);
      if (this.lifecycle !== 'starting') throw new StoppedError('the node was stopped while starting');
      const engine = new Raft(this.engineOptions, initial);
      refuseIfRemoved(this.id, initial, engine.committedConfig());
      await this.restoreFromStorage(initial.snapshot?.index ?? 0);
      if (this.lifecycle !== 'starting') throw new StoppedError('the node was stopped while starting');
      this.engine = engine;
      this.appliedIndex = initial.applied ?? 0;
      this.committedIndex = initial.hardState.commit;
      if (this.snapshotOptions !== undefined) {
        const host = this.snapshotHost(this.snapshotOptions);
        this.snapshots = {
          sender: new SnapshotSender(host),
          receiver: new SnapshotReceiver(host),
          taker: new SnapshotTaker(host, initial.snapshot?.index ?? 0),
        };
      }
      // The configuration in storage may name members that joined after `peers` was written.
      const config = engine.status().config;
      if (config.addresses !== undefined) this.learnAddresses(config);
      else if (this.options.peers !== undefined) this.options.transport.setPeers(this.options.peers);
      await this.options.transport.start((message) => this.receive(message));
      if (this.lifecycle !== 'starting') {
        await this.options.transport.stop();
        throw new StoppedError('the node was stopped while starting');
      }
      this.transportStarted = true;
      this.lifecycle = 'running';
      if (this.observer !== undefined) {
        const status = engine.status();
        this.observer({
          type: 'node-started',
          role: status.role,
          term: status.term,
          leader: status.leader,
          commitIndex: status.commitIndex,
          appliedIndex: status.appliedIndex,
          lastIndex: status.lastIndex,
        });
      }
      this.armTick();
      // The engine may have work right away, for example re-applying the committed log after a restart.
      this.pump();
    } catch (error) {
      if (this.lifecycle === 'starting') this.lifecycle = 'stopped';
      throw error;
    }
  }

  /** On start: bring the state machine to the stored snapshot, from which the log is then replayed. */
  private async restoreFromStorage(snapshotIndex: number): Promise<void> {
    if (snapshotIndex === 0) return;
    const { storage, stateMachine } = this.options;
    if (typeof stateMachine.restore !== 'function' || typeof storage.readSnapshot !== 'function') {
      throw new Error(
        `the storage holds a snapshot at index ${snapshotIndex}, but the state machine has no restore() to load it`,
      );
    }
    const reader = await storage.readSnapshot();
    if (reader === undefined)
      throw new Error(`the storage lists a snapshot at ${snapshotIndex} but cannot read it`);
    await stateMachine.restore(reader.chunks());
  }

  private snapshotHost(options: ResolvedSnapshotOptions): SnapshotHost {
    return {
      id: this.id,
      storage: this.options.storage,
      stateMachine: this.options.stateMachine as SnapshotHost['stateMachine'],
      observer: this.observer,
      clock: this.clock,
      options,
      engine: () => this.loadedEngine(),
      running: () => this.lifecycle === 'running',
      input: (feed) => this.input(feed),
      exclusive: (task) => {
        const result = this.exclusiveTasks.add(task);
        this.pump();
        return result;
      },
      send: (message) => this.send([message]),
      restored: (index) => this.onSnapshotRestored(index),
      fail: (error) => this.fail(error),
      nextId: () => this.nextRequestId++,
    };
  }

  /** The state machine now holds a snapshot installed from the leader. */
  private onSnapshotRestored(index: number): void {
    if (index <= this.appliedIndex) return;
    this.appliedIndex = index;
    if (index > this.committedIndex) this.committedIndex = index;
    this.proposals.onSkipped(index);
    this.reads.onApplied(index);
    this.snapshots?.taker.reset(index);
  }

  private async stopOnce(): Promise<void> {
    const wasRunning = this.lifecycle === 'running';
    if (this.lifecycle !== 'stopped') this.shutDown(new StoppedError('the node was stopped'));
    // Leave a current commit index behind. Storage calls take effect in order, so this lands after any
    // write still in flight; a failure here changes nothing of what is durable.
    const deferred = this.deferredCommit.take(undefined);
    if (wasRunning && deferred !== undefined) await this.writeHardState(deferred).catch(() => undefined);
    if (this.transportStarted) {
      this.transportStarted = false;
      await this.options.transport.stop();
    }
  }

  private loadedEngine(): Raft {
    if (this.engine === undefined) throw new StoppedError('the node has not started');
    return this.engine;
  }

  /** Why a new request cannot be taken now, or undefined if it can. */
  private refusal(options: RequestOptions | undefined): unknown {
    if (this.lifecycle !== 'running') {
      return (
        this.failure ??
        new StoppedError(this.lifecycle === 'stopped' ? 'the node is stopped' : 'the node has not started')
      );
    }
    const signal = options?.signal;
    if (signal?.aborted === true) return abortReason(signal);
    return undefined;
  }

  /** Feed one input into the engine, then carry out whatever it produced. */
  private input(feed: (engine: Raft) => void): void {
    const engine = this.engine;
    if (this.lifecycle !== 'running' || engine === undefined) return;
    if (this.exclusiveTasks.holding) {
      this.exclusiveTasks.defer(feed);
      return;
    }
    try {
      feed(engine);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.pump();
  }

  private receive(message: Message): void {
    // Before start and after stop the node does not exist as far as the cluster is concerned.
    if (this.lifecycle !== 'running') return;
    if (this.received !== undefined) this.received.add(message);
    if (message.type === 'InstallSnapshot' || message.type === 'InstallSnapshotResponse') {
      this.input((engine) => {
        engine.step(message);
        this.routeSnapshotMessage(engine, message);
      });
      return;
    }
    this.input((engine) => engine.step(message));
  }

  /** After the engine checked its term: hand a snapshot chunk or answer to the transfer it belongs to. */
  private routeSnapshotMessage(engine: Raft, message: Message): void {
    const snapshots = this.snapshots;
    if (snapshots === undefined) return;
    if (message.type === 'InstallSnapshot') {
      if (engine.wantsSnapshot(message)) snapshots.receiver.onChunk(message, true);
      else if (message.term === engine.term && message.meta.index <= engine.status().commitIndex)
        snapshots.receiver.onChunk(message, false);
    } else if (message.type === 'InstallSnapshotResponse') {
      const status = engine.status();
      if (status.role === 'leader' && message.term === status.term) snapshots.sender.onResponse(message);
    }
  }

  private armTick(): void {
    this.tickTimer = this.clock.setTimeout(() => {
      if (this.lifecycle !== 'running') return;
      this.armTick();
      this.input((engine) => engine.tick());
      const stale = this.deferredCommit.takeIfStale();
      if (stale !== undefined) this.writeHardState(stale).catch((error: unknown) => this.fail(error));
      if (this.snapshots !== undefined) {
        this.snapshots.sender.tick(this.electionTicks);
        this.snapshots.receiver.tick(this.electionTicks);
      }
      if (this.observedLeader) this.reportProgress();
    }, this.tickMs);
  }

  /** Once per tick on an observed leader: its view of every follower, for replication-lag metrics. */
  private reportProgress(): void {
    const observer = this.observer;
    const engine = this.engine;
    if (observer === undefined || engine === undefined || this.lifecycle !== 'running') return;
    const status = engine.status();
    if (status.role !== 'leader') return;
    observer({
      type: 'replication-progress',
      term: status.term,
      lastIndex: status.lastIndex,
      commitIndex: status.commitIndex,
      progress: status.progress,
    });
  }

  private pump(): void {
    const engine = this.engine;
    if (this.lifecycle !== 'running' || engine === undefined) return;
    if (this.batchInFlight) {
      if (this.writing) this.scheduleEarlyApply();
      return;
    }
    if (!engine.hasReady() && !this.exclusiveTasks.pending) return;
    this.batchInFlight = true;
    // Deferred past the rest of this event-loop turn: a burst of requests read together (one per HTTP
    // connection) shares one batch and one write, rather than the first going alone and the rest
    // waiting for its write (tooling/bench/README.md, item 15).
    if (this.clock.defer === undefined) void this.drain(engine);
    else this.clock.defer(() => void this.drain(engine));
  }

  /**
   * While this node's write is in flight, entries that commit meanwhile (acknowledgements arriving) are
   * applied at once rather than after that write: a quorum holds them durably, even when they are in
   * the write still in flight here (Raft thesis §10.2.1). Once per microtask, so the acknowledgements
   * that arrive together share one apply.
   */
  private scheduleEarlyApply(): void {
    if (this.earlyApplyScheduled) return;
    this.earlyApplyScheduled = true;
    void Promise.resolve().then(() => {
      this.earlyApplyScheduled = false;
      const engine = this.engine;
      if (!this.writing || this.lifecycle !== 'running' || engine === undefined) return;
      const entries = engine.takeCommittedEntries();
      if (entries.length === 0) return;
      this.inApplyOrder(async () => {
        const applied = await this.apply(entries);
        if (applied) engine.appliedTo(entries[entries.length - 1]!.index);
        return applied;
      }).catch((error: unknown) => this.fail(error));
    });
  }

  /** Runs `task` after every apply started before it. */
  private inApplyOrder(task: () => Promise<boolean>): Promise<boolean> {
    const next = this.applying.then((ok) => (ok ? task() : false));
    this.applying = next.catch(() => false);
    return next;
  }

  /** Carry out Ready batches one at a time until the engine has nothing more. Never rejects. */
  private async drain(engine: Raft): Promise<void> {
    try {
      while (this.lifecycle === 'running') {
        if (this.exclusiveTasks.pending) {
          await this.exclusiveTasks.runNext(engine);
          continue;
        }
        if (!engine.hasReady()) break;
        const ready = engine.ready();
        const completed = await this.carryOut(ready);
        // Stopped mid-batch: the engine is abandoned, so it must not believe the batch was done.
        if (!completed || this.lifecycle !== 'running') return;
        engine.advance(ready);
        this.settleTransfers(engine);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.batchInFlight = false;
    }
  }

  /** The ordering contract documented on {@link Ready}. Returns false if the node stopped meanwhile. */
  private async carryOut(ready: Ready): Promise<boolean> {
    const observer = this.observer;
    if (ready.softState !== undefined && observer !== undefined) {
      const { role, term, leader } = ready.softState;
      this.observedLeader = role === 'leader';
      observer({ type: 'role-changed', role, term, leader });
    }
    if (ready.softState !== undefined && ready.softState.role !== 'leader') this.snapshots?.sender.stopAll();
    for (const request of ready.snapshotRequests) {
      if (this.snapshots !== undefined) this.snapshots.sender.start(request.to);
      // Without snapshot support the follower cannot be caught up; the engine retries at heartbeat pace.
      else this.input((engine) => engine.reportSnapshot(request.to, false));
    }
    if (ready.hardState !== undefined && ready.hardState.commit > this.committedIndex) {
      this.committedIndex = ready.hardState.commit;
      if (observer !== undefined) observer({ type: 'committed', index: this.committedIndex });
    }
    if (!ready.mustSync) {
      // Nothing here waits for the disk. Answer clients first (applying is what they wait for), then
      // send commit updates and heartbeats. A batch that only moved the commit index is not written: the
      // commit index is volatile (Raft Figure 2), so it rides along with the next write.
      if (ready.hardState !== undefined) this.deferredCommit.defer(ready.hardState);
      const applied = await this.applyReady(ready);
      if (!applied) return false;
      this.send(ready.messages);
      this.send(ready.persistedMessages);
      return true;
    }
    // 1. Messages that promise nothing about our disk go out first, overlapping our write (thesis §10.2.1).
    this.send(ready.messages);
    // 2 and 4 overlap: the entries to apply are committed, so durable on a quorum, and applying them
    // (and answering clients) need not wait for this batch's write. Both finish before `advance`.
    const [written, applied] = await Promise.all([this.write(ready), this.applyReady(ready)]);
    if (!written || !applied) return false;
    // Entries that committed during the write may still be applying: the batch ends after them.
    return this.applying;
  }

  /** A hard state on its own, outside the Ready loop (the store takes calls in the order they are made). */
  private writeHardState(hardState: HardState): Promise<void> {
    return this.options.storage.persist({ hardState, entries: [] });
  }

  /** Steps 2 and 3 of {@link Ready}: the atomic, durable write, then the messages that depend on it. */
  private async write(ready: Ready): Promise<boolean> {
    // The latest hard state: this batch's, or one whose commit index was not written yet.
    const hardState = this.deferredCommit.take(ready.hardState);
    const observer = this.observer;
    const startedAt = observer === undefined ? 0 : this.clock.now();
    this.writing = true;
    try {
      await this.options.storage.persist({ hardState, entries: ready.entries });
    } finally {
      this.writing = false;
    }
    if (this.lifecycle !== 'running') return false;
    if (observer !== undefined) {
      let bytes = 0;
      for (const entry of ready.entries) bytes += entry.data.length;
      observer({
        type: 'persisted',
        entries: ready.entries.length,
        bytes,
        durationMs: this.clock.now() - startedAt,
      });
    }
    // 3. Votes and append acknowledgements only once the state they vouch for is durable (Raft §5.1, Figure 2).
    this.send(ready.persistedMessages);
    return true;
  }

  /** Step 4 of {@link Ready}: settle outcomes, apply committed entries, serve reads. */
  private async applyReady(ready: Ready): Promise<boolean> {
    // Outcomes are recorded before applying so an entry committed in this very batch finds its waiter.
    for (const outcome of ready.proposalOutcomes) {
      const change = this.membershipChanges.get(outcome.proposalId);
      if (change === undefined) this.proposals.onOutcome(outcome, this.appliedIndex);
      else if (!outcome.accepted) {
        this.membershipChanges.delete(outcome.proposalId);
        change.waiter.reject(rejectionError(outcome.reason, outcome.leaderHint));
      }
    }
    this.proposals.flushReports();
    if (ready.config !== undefined) this.learnAddresses(ready.config);
    for (const failure of ready.readFailures) this.reads.onFailure(failure);
    if (ready.committedEntries.length > 0) {
      const entries = ready.committedEntries;
      if (!(await this.inApplyOrder(() => this.apply(entries)))) return false;
    } else if (!(await this.applying)) return false;
    for (const state of ready.readStates) this.reads.onReadState(state, this.appliedIndex);
    return true;
  }

  /** Apply committed entries: one state machine call for the batch, then settle proposals in log order. */
  private async apply(entries: readonly Entry[]): Promise<boolean> {
    const observer = this.observer;
    const startedAt = observer === undefined ? 0 : this.clock.now();
    const application = entries.filter(isApplicationEntry);
    let results: readonly Result[] = [];
    if (application.length > 0) {
      results = await this.options.stateMachine.apply(application);
      if (this.lifecycle !== 'running') return false;
      if (results.length !== application.length) {
        throw new Error(
          `the state machine returned ${results.length} results for ${application.length} entries`,
        );
      }
    }
    const lastIndex = entries.at(-1)?.index ?? this.appliedIndex;
    // Reported before proposals settle, so an observer sees "applied" before the proposal's outcome.
    if (observer !== undefined) {
      observer({
        type: 'applied',
        index: lastIndex,
        entries: entries.length,
        durationMs: this.clock.now() - startedAt,
      });
    }
    // Most batches on a follower settle nothing: skip the per-entry bookkeeping then.
    if (!this.proposals.idle) {
      let next = 0;
      for (const entry of entries) {
        if (isApplicationEntry(entry)) {
          this.proposals.onApplied(entry.index, { term: entry.term, hasResult: true, result: results[next] });
          next++;
        } else {
          this.proposals.onApplied(entry.index, { term: entry.term, hasResult: false, result: undefined });
        }
      }
      this.proposals.flushReports();
    }
    this.appliedIndex = lastIndex;
    this.reads.onApplied(this.appliedIndex);
    if (this.membershipChanges.size > 0) {
      for (const entry of entries)
        if (entry.type === 'config') this.onConfigApplied(decodeConfig(entry.data));
    }
    this.snapshots?.taker.onApplied(entries, lastIndex);
    return true;
  }

  private send(messages: readonly Message[]): void {
    if (messages.length === 0) return;
    this.options.transport.send(messages);
    if (this.observer !== undefined) this.observer({ type: 'messages-sent', messages });
  }

  /** A membership change is done once its final configuration is applied here. */
  private onConfigApplied(config: ClusterConfig): void {
    for (const [id, change] of this.membershipChanges) {
      if (!reaches(config, change.target)) continue;
      this.membershipChanges.delete(id);
      change.waiter.resolve(config);
    }
  }

  /**
   * New members must hear from the leader before the configuration naming them can commit, so the
   * transport learns addresses when a configuration is appended, not when it commits. Addresses given
   * in `peers` at creation stay unless the configuration names another one for the same node.
   */
  private learnAddresses(config: ClusterConfig): void {
    if (config.addresses === undefined) return;
    const book = new Map(this.options.peers ?? []);
    for (const [id, address] of Object.entries(config.addresses)) book.set(id, address);
    const members = new Set(allMembers(config));
    for (const id of [...book.keys()]) if (id === this.id || !members.has(id)) book.delete(id);
    this.options.transport.setPeers(book);
  }

  /** A transfer succeeded once this node sees the transferee as leader (it learns from its heartbeats). */
  private settleTransfers(engine: Raft): void {
    if (this.transfers.length === 0) return;
    const leader = engine.status().leader;
    const done = this.transfers.filter((transfer) => transfer.to === leader);
    if (done.length === 0) return;
    this.transfers = this.transfers.filter((transfer) => transfer.to !== leader);
    for (const transfer of done) transfer.waiter.resolve();
  }

  /** Stop everything and reject every pending request with `error`. */
  private shutDown(error: StoppedError): void {
    const wasRunning = this.lifecycle === 'running';
    this.lifecycle = 'stopped';
    this.tickTimer?.cancel();
    this.tickTimer = undefined;
    this.exclusiveTasks.rejectAll(error);
    if (this.snapshots !== undefined) {
      this.snapshots.sender.stopAll();
      void this.snapshots.receiver.abandon().catch(() => undefined);
    }
    this.proposals.rejectAll(error);
    this.reads.rejectAll(error);
    const transfers = this.transfers;
    this.transfers = [];
    for (const transfer of transfers) transfer.waiter.reject(error);
    const changes = [...this.membershipChanges.values()];
    this.membershipChanges.clear();
    for (const change of changes) change.waiter.reject(error);
    // Only a node that announced itself (node-started) announces its end.
    if (wasRunning && this.observer !== undefined)
      this.observer({ type: 'node-stopped', failed: this.failure !== undefined });
  }

  /**
   * A state machine, storage or engine error leaves the node's state unknown, so the node stops for
   * good. Errors after an explicit stop() are expected (the owner may close storage under an in-flight
   * write) and ignored.
   */
  private fail(cause: unknown): void {
    if (this.lifecycle === 'stopped') return;
    const error = new StoppedError(`the node failed: ${describe(cause)}`, { cause });
    this.failure = error;
    if (this.observer !== undefined) this.observer({ type: 'node-failed', error });
    this.shutDown(error);
    if (this.transportStarted) {
      this.transportStarted = false;
      // The node already failed with `error`; a transport that also fails to stop adds nothing to it.
      this.options.transport.stop().catch(() => undefined);
    }
    if (this.options.onFatalError !== undefined) this.options.onFatalError(error);
    else void Promise.reject(error);
  }
}
