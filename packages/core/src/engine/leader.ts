import { allMembers, isVoter } from './config.js';
import type { AppendEntries, AppendEntriesResponse, HeartbeatResponse, Message } from './messages.js';
import type { ResolvedRaftOptions } from './options.js';
import { Progress } from './progress.js';
import { quorumValue } from './quorum.js';
import { RaftInvariantError, type RaftLog } from './raft-log.js';
import { ReadIndexQueue } from './read-index.js';
import type { RejectReason } from './ready.js';
import { TracedEntries } from './traced-entries.js';
import { type ClusterConfig, NO_NODE, type NodeId, type SnapshotMeta } from './types.js';

/** What the leader role needs from the engine around it. */
export interface LeaderHost {
  readonly id: NodeId;
  readonly options: ResolvedRaftOptions;
  readonly log: RaftLog;
  readonly term: number;
  readonly config: ClusterConfig;
  /** The last committed configuration: members it names are replicated to until a change commits. */
  committedConfig(): ClusterConfig;
  /** The latest snapshot this node holds, if any. */
  readonly snapshot: SnapshotMeta | undefined;
  /** Ask the driver to stream the latest snapshot to `to`. */
  requestSnapshot(to: NodeId, index: number): void;
  /** Queue a message that promises nothing about local durable state (sent before persisting). */
  send(message: Message): void;
  /** A read is safe at `index`: answer the local caller or the follower that asked. */
  serveRead(from: NodeId, requestId: number, index: number): void;
  failRead(from: NodeId, requestId: number, reason: RejectReason): void;
}

/**
 * Leader-only state and behaviour: per-follower progress, replication, commit, heartbeats, CheckQuorum,
 * ReadIndex and leadership transfer. Created when a node wins an election, discarded when it steps down.
 */
export class Leader {
  readonly progress = new Map<NodeId, Progress>();
  readonly reads = new ReadIndexQueue();
  /** Trace contexts of this leader's traced entries in flight (empty unless the driver traces). */
  readonly traces = new TracedEntries();
  /** Target of a leadership transfer in progress, or NO_NODE. */
  transferee: NodeId = NO_NODE;
  /** Reads that arrived before this leader committed an entry of its own term (thesis §6.4 step 1). */
  private readsBeforeCommit: { from: NodeId; requestId: number; lease: boolean }[] = [];
  private heartbeatElapsed = 0;
  /** Ticks in the current CheckQuorum / transfer window. */
  private windowElapsed = 0;
  /** Ticks since this node became leader: the time base of lease reads. */
  private ticks = 0;
  /**
   * Set once this leader sent TimeoutNow. The transferee's campaign may bypass the followers' leases
   * (thesis §3.10), so from then on this leader's lease proves nothing and reads need a quorum round.
   */
  private leaseRevoked = false;
  /** Appends asked of every follower since the last Ready: new entries only, or commit news too. */
  private broadcastWanted: 'none' | 'entries' | 'always' = 'none';

  constructor(private readonly host: LeaderHost) {
    this.syncMembers();
  }

  /**
   * Track the members of the current configuration (it takes effect when appended) and, until it
   * commits, those of the last committed one: a member being removed keeps receiving entries, so it
   * learns of its removal (it never counts toward a quorum it is not in).
   */
  syncMembers(): void {
    const members = new Set([...allMembers(this.host.config), ...allMembers(this.host.committedConfig())]);
    for (const id of members) {
      if (id === this.host.id || this.progress.has(id)) continue;
      const progress = new Progress(this.host.log.lastIndex() + 1, this.host.options.maxInflightMessages);
      // A new member counts as active for the current window, so adding it cannot fail CheckQuorum.
      progress.recentActive = true;
      this.progress.set(id, progress);
    }
    for (const id of this.progress.keys()) {
      if (!members.has(id)) this.progress.delete(id);
    }
  }

  /** Returns true when the leader must step down (CheckQuorum failed, thesis §6.2). */
  tick(): boolean {
    this.ticks++;
    this.heartbeatElapsed++;
    this.windowElapsed++;
    if (this.windowElapsed >= this.host.options.electionTicks) {
      this.windowElapsed = 0;
      if (this.host.options.checkQuorum && !this.quorumActive()) return true;
      // A transfer that has not finished within an election timeout is abandoned (thesis §3.10).
      this.transferee = NO_NODE;
    }
    if (this.heartbeatElapsed >= this.host.options.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat();
    }
    return false;
  }

  private quorumActive(): boolean {
    const active = quorumValue(this.host.config, (id) => {
      if (id === this.host.id) return 1;
      return this.progress.get(id)?.recentActive ? 1 : 0;
    });
    for (const progress of this.progress.values()) progress.recentActive = false;
    return active === 1;
  }

  /** Send AppendEntries to every follower that can take more. */
  broadcastAppend(sendIfEmpty: boolean): void {
    for (const id of this.progress.keys()) this.sendAppend(id, sendIfEmpty);
  }

  /**
   * Ask for AppendEntries to every follower, built when the next Ready is: messages leave only with a
   * Ready anyway, so the proposals, commit advances and acknowledgements stepped in between share one
   * message per follower instead of one each (and the follower answers once, not once per proposal).
   * With `sendIfEmpty`, a follower that has not been told the latest commit index gets an append even
   * without new entries.
   */
  requestBroadcast(sendIfEmpty: boolean): void {
    if (sendIfEmpty) this.broadcastWanted = 'always';
    else if (this.broadcastWanted === 'none') this.broadcastWanted = 'entries';
  }

  /** Whether {@link requestBroadcast} was called since the last {@link flushBroadcast}. */
  broadcastPending(): boolean {
    return this.broadcastWanted !== 'none';
  }

  /** Sends the broadcast asked for since the last Ready, filling each follower's window. */
  flushBroadcast(): void {
    if (this.broadcastWanted === 'none') return;
    const commitNews = this.broadcastWanted === 'always';
    this.broadcastWanted = 'none';
    const committed = this.host.log.committed;
    for (const [id, progress] of this.progress) {
      if (!this.sendAppend(id, commitNews && progress.sentCommit < committed)) continue;
      while (this.sendAppend(id, false)) {
        // each call sends one message until the window is full or nothing is left
      }
    }
  }

  /**
   * Send the next AppendEntries to `to` if its flow control allows. An empty append is a probe or a
   * commit notification. Returns whether a message went out.
   */
  sendAppend(to: NodeId, sendIfEmpty = true): boolean {
    const progress = this.progress.get(to);
    if (progress === undefined || progress.isPaused()) return false;
    const { log, options } = this.host;
    const prevLogIndex = progress.next - 1;
    const prevLogTerm = log.term(prevLogIndex);
    if (prevLogTerm === undefined && prevLogIndex > log.lastIndex()) {
      // Only a bogus acknowledgement (beyond anything we sent) leads here; nothing to send.
      return false;
    }
    if (prevLogTerm === undefined) {
      // The follower needs entries compacted into a snapshot (Raft §7): hold appends until it lands.
      const snapshot = this.host.snapshot;
      if (snapshot === undefined)
        throw new RaftInvariantError(`entry ${prevLogIndex} is gone but no snapshot covers it`);
      progress.becomeSnapshot(snapshot.index);
      this.host.requestSnapshot(to, snapshot.index);
      return false;
    }
    const entries = log.slice(progress.next, log.lastIndex() + 1, options.maxBytesPerMessage);
    if (entries.length === 0 && !sendIfEmpty) return false;
    const append: AppendEntries = {
      type: 'AppendEntries',
      from: this.host.id,
      to,
      term: this.host.term,
      prevLogIndex,
      prevLogTerm,
      entries,
      leaderCommit: log.committed,
    };
    // Untraced traffic never gets the field (and so stays a version 1 frame).
    const traces =
      entries.length === 0
        ? undefined
        : this.traces.within(entries[0]!.index, entries[entries.length - 1]!.index);
    this.host.send(traces === undefined ? append : { ...append, traces });
    progress.sentCommit = log.committed;
    if (progress.state === 'replicate' && entries.length > 0) {
      // Pipelining: assume success and move on; a rejection moves the follower back to probe.
      const last = entries[entries.length - 1]!.index;
      progress.next = last + 1;
      progress.inflights.add(last);
    } else if (progress.state === 'probe') {
      progress.probeSent = true;
    }
    return true;
  }

  /** Heartbeats carry a read round; followers echo it so reads queued before it can be confirmed. */
  broadcastHeartbeat(): void {
    const round = this.reads.nextRound(this.ticks);
    for (const [to, progress] of this.progress) {
      this.host.send({
        type: 'Heartbeat',
        from: this.host.id,
        to,
        term: this.host.term,
        // Never point a follower's commit past what it is known to hold.
        commit: Math.min(progress.match, this.host.log.committed),
        readSeq: round,
      });
    }
    this.maybeReleaseReads();
  }

  handleAppendResponse(message: AppendEntriesResponse): void {
    const progress = this.progress.get(message.from);
    if (progress === undefined) return;
    progress.recentActive = true;
    if (!message.success) {
      // Fast backtracking: jump to where the logs can first agree given the follower's hint.
      const hint =
        message.hintTerm > 0
          ? this.host.log.findConflictByTerm(message.hintIndex, message.hintTerm)
          : message.hintIndex;
      if (progress.maybeDecrease(message.rejectedIndex, hint)) {
        if (progress.state === 'replicate') progress.becomeProbe();
        this.sendAppend(message.from);
      }
      return;
    }
    const wasPaused = progress.isPaused();
    if (!progress.maybeUpdate(message.matchIndex)) {
      if (wasPaused && !progress.isPaused()) this.sendAppend(message.from, false);
      return;
    }
    if (this.traces.size > 0) this.pruneTraces();
    if (progress.state === 'probe') progress.becomeReplicate();
    else if (progress.state === 'replicate') progress.inflights.freeUpTo(message.matchIndex);
    else if (progress.match >= progress.pendingSnapshot) progress.becomeReplicate();
    // A new commit index goes to everyone (with the next Ready); keep filling this follower's window.
    if (this.maybeCommit()) this.requestBroadcast(true);
    while (this.sendAppend(message.from, false)) {
      // each call sends one message until the window is full or nothing is left
    }
    // A follower that just caught up learns the commit index now rather than at the next heartbeat.
    if (progress.sentCommit < Math.min(this.host.log.committed, progress.match))
      this.sendAppend(message.from);
    if (message.from === this.transferee && progress.match === this.host.log.lastIndex()) {
      this.sendTimeoutNow(message.from);
    }
  }

  /**
   * Keep `context` for the entry at `index` until every follower holds it. A leader without followers
   * sends no AppendEntries, so it keeps nothing.
   */
  traceEntry(index: number, context: Uint8Array): void {
    if (this.progress.size > 0) this.traces.add(index, context);
  }

  /** Drop the trace contexts of entries every follower now holds: no AppendEntries will carry them again. */
  private pruneTraces(): void {
    let lowest = Number.POSITIVE_INFINITY;
    for (const progress of this.progress.values()) lowest = Math.min(lowest, progress.match);
    if (lowest !== Number.POSITIVE_INFINITY) this.traces.pruneThrough(lowest);
  }

  /**
   * The driver's snapshot transfer to `to` ended. On success the follower holds the snapshot, so
   * probe right after it; on failure probe from its match again at the heartbeats' pace, which asks
   * for a new transfer if the entries it needs are still compacted.
   */
  reportSnapshot(to: NodeId, succeeded: boolean): void {
    const progress = this.progress.get(to);
    if (progress === undefined || progress.state !== 'snapshot') return;
    if (succeeded) {
      const next = Math.max(progress.match, progress.pendingSnapshot) + 1;
      progress.becomeProbe();
      progress.next = next;
      this.sendAppend(to);
    } else {
      progress.becomeProbe();
      progress.probeSent = true;
    }
  }

  handleHeartbeatResponse(message: HeartbeatResponse): void {
    const progress = this.progress.get(message.from);
    if (progress === undefined) return;
    progress.recentActive = true;
    progress.probeSent = false;
    // A follower that answers heartbeats while a full window of appends goes unanswered lost them:
    // without this, nothing would ever be sent to it again. Probe from its match instead.
    if (progress.state === 'replicate' && progress.inflights.full()) progress.becomeProbe();
    if (progress.match < this.host.log.lastIndex()) this.sendAppend(message.from);
    if (isVoter(this.host.config, message.from)) {
      this.reads.acknowledge(message.from, message.readSeq);
      this.maybeReleaseReads();
    }
  }

  /** This node's own log became durable up to persistedIndex: it may now count toward commit. */
  onPersisted(): void {
    if (this.maybeCommit()) this.requestBroadcast(true);
  }

  /**
   * Advance the commit index to what a quorum holds. Raft §5.4.2: only an entry of the current term is
   * committed by counting replicas; earlier entries commit indirectly with it (the Figure 8 rule).
   */
  maybeCommit(): boolean {
    const { log, term } = this.host;
    const index = quorumValue(this.host.config, (id) =>
      id === this.host.id ? log.persistedIndex : (this.progress.get(id)?.match ?? 0),
    );
    if (index <= log.committed || log.term(index) !== term) return false;
    log.commitTo(index);
    if (this.readsBeforeCommit.length > 0) {
      const waiting = this.readsBeforeCommit;
      this.readsBeforeCommit = [];
      for (const read of waiting) this.readIndex(read.from, read.requestId, read.lease);
    }
    return true;
  }

  /** Thesis §6.4: a read is served at the current commit index once leadership is confirmed. */
  readIndex(from: NodeId, requestId: number, lease = false): void {
    const { log, options } = this.host;
    if (log.term(log.committed) !== this.host.term) {
      // The leader does not yet know the latest commit index until it commits its own no-op.
      this.readsBeforeCommit.push({ from, requestId, lease });
      return;
    }
    if (this.host.config.voters.length === 1 && this.host.config.outgoingVoters.length === 0) {
      if (this.host.config.voters[0] === this.host.id) {
        this.host.serveRead(from, requestId, log.committed);
        return;
      }
    }
    // A lease is only as good as the followers' promise not to vote, which CheckQuorum's lease gives.
    if ((options.leaseRead || (lease && options.checkQuorum)) && this.leaseValid()) {
      this.host.serveRead(from, requestId, log.committed);
      return;
    }
    this.reads.add(from, requestId, log.committed);
  }

  /**
   * A lease read is valid while a quorum acknowledged a heartbeat sent less than an election timeout
   * ago: those followers will not vote for anyone else until their own election timeout passes since
   * they received it (thesis §6.4.1). Only sound with bounded clock drift; one tick is kept as margin.
   */
  private leaseValid(): boolean {
    if (this.leaseRevoked) return false;
    const round = this.quorumRound();
    const sent = this.reads.sentTick(round);
    return sent !== undefined && this.ticks < sent + this.host.options.electionTicks - 1;
  }

  /**
   * A read waits for a confirmation round and none is in flight. Reads that arrive while a round is out
   * wait for it to be acknowledged and then share the next one: one round at a time, as etcd's read
   * loop does, so a burst of reads costs followers one heartbeat per round trip, not one per batch.
   * A round only counts as in flight during the tick it was sent in, so a lost or slow round delays
   * reads by at most a tick.
   */
  readRoundWanted(): boolean {
    if (!this.reads.broadcastWanted) return false;
    const inFlight =
      this.quorumRound() < this.reads.round && this.reads.sentTick(this.reads.round) === this.ticks;
    return !inFlight;
  }

  private quorumRound(): number {
    return quorumValue(this.host.config, (id) => this.reads.ackedRound(id, this.host.id));
  }

  private maybeReleaseReads(): void {
    for (const read of this.reads.release(this.quorumRound())) {
      this.host.serveRead(read.from, read.requestId, read.index);
    }
  }

  /** Begin a leadership transfer (thesis §3.10): catch `to` up, then tell it to campaign at once. */
  transfer(to: NodeId): void {
    if (to === this.host.id || !isVoter(this.host.config, to) || this.transferee === to) return;
    this.transferee = to;
    this.windowElapsed = 0;
    const progress = this.progress.get(to);
    if (progress === undefined) return;
    if (progress.match === this.host.log.lastIndex()) this.sendTimeoutNow(to);
    else this.sendAppend(to);
  }

  private sendTimeoutNow(to: NodeId): void {
    this.leaseRevoked = true;
    this.host.send({ type: 'TimeoutNow', from: this.host.id, to, term: this.host.term });
  }

  /** The leader is stepping down: every read it holds fails, so clients retry elsewhere. */
  abandon(): void {
    for (const read of this.reads.drain()) this.host.failRead(read.from, read.requestId, 'not-leader');
    for (const read of this.readsBeforeCommit) this.host.failRead(read.from, read.requestId, 'not-leader');
    this.readsBeforeCommit = [];
  }
}
