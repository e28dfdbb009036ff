import { decodeConfig, encodeConfig } from '../codec/index.js';
import { allVoters, EMPTY_CONFIG, isVoter, sameAddresses } from './config.js';
import { ForwardedProposals } from './forwarded-proposals.js';
import { Leader } from './leader.js';
import { configProblem, isJoint, leaveJoint, nextConfig } from './membership.js';
import type {
  AppendEntries,
  Heartbeat,
  InstallSnapshot,
  Message,
  Propose,
  RequestVote,
  RequestVoteResponse,
} from './messages.js';
import { TRACE_CONTEXT_BYTES } from './messages.js';
import { type RaftOptions, type ResolvedRaftOptions, resolveOptions } from './options.js';
import { voteResult } from './quorum.js';
import { RaftLog } from './raft-log.js';
import type {
  ProposalOutcome,
  ReadFailure,
  ReadState,
  Ready,
  RejectReason,
  SnapshotRequest,
  SoftState,
} from './ready.js';
import type { ProgressStatus, RaftInspection, RaftStatus } from './status.js';
import {
  type ClusterConfig,
  type Entry,
  type EntryType,
  type HardState,
  type LogPosition,
  NO_NODE,
  type NodeId,
  type Role,
  type SnapshotMeta,
} from './types.js';

/** What the engine starts from: the node's persisted state. */
export interface RaftInitialState {
  readonly hardState: HardState;
  /** Every persisted entry after the compaction point, in order. */
  readonly entries: readonly Entry[];
  readonly snapshot?: SnapshotMeta | undefined;
  /** The last compacted entry (see PersistedState.compacted); default: the snapshot's last entry. */
  readonly compacted?: LogPosition | undefined;
  /** Highest index the state machine already reflects (its snapshot's index after a restore). Default 0. */
  readonly applied?: number;
}

/**
 * The Raft protocol as a pure state machine (no IO, no clock, no promises). Feed it inputs, take a
 * {@link Ready}, carry it out, {@link Raft.advance}. Same options, seed and inputs give the same outputs.
 */
export class Raft {
  /** @internal */ readonly options: ResolvedRaftOptions;
  /** @internal */ readonly log: RaftLog;
  readonly id: NodeId;
  /** @internal */ term: number;
  private vote: NodeId;
  private leaderId: NodeId = NO_NODE;
  private role: Role = 'follower';
  /** @internal */ config: ClusterConfig;
  private snapshotConfig: ClusterConfig;
  /** Index of the config entry `config` comes from (the snapshot's index, or 0, when none is in the log). */
  private configIndex = 0;
  /** The last committed configuration this leader finished (left joint, dropped removed members, ...). */
  private configSettled = 0;
  /** @internal The latest snapshot this node holds (saved locally or installed). */
  snapshot: SnapshotMeta | undefined;
  private leader: Leader | undefined;
  private votes = new Map<NodeId, boolean>();
  private readonly forwarded = new ForwardedProposals();
  private electionElapsed = 0;
  private randomizedElectionTimeout = 0;

  private messages: Message[] = [];
  private persistedMessages: Message[] = [];
  private readStates: ReadState[] = [];
  private readFailures: ReadFailure[] = [];
  private proposalOutcomes: ProposalOutcome[] = [];
  private snapshotRequests: SnapshotRequest[] = [];
  private configChanged = false;
  private previousSoft: SoftState;
  private previousHard: HardState;

  constructor(options: RaftOptions, initial: RaftInitialState) {
    this.options = resolveOptions(options);
    this.id = this.options.id;
    const snapshot = initial.snapshot;
    this.snapshot = snapshot;
    this.log = new RaftLog(
      initial.entries,
      initial.compacted ?? { index: snapshot?.index ?? 0, term: snapshot?.term ?? 0 },
      snapshot?.index ?? 0,
      initial.hardState.commit,
      initial.applied ?? 0,
    );
    this.term = initial.hardState.term;
    this.vote = initial.hardState.vote;
    this.snapshotConfig = snapshot?.config ?? EMPTY_CONFIG;
    const { config, index } = this.configEntryAt(this.log.lastIndex());
    this.config = config;
    this.configIndex = index;
    this.previousHard = this.hardState();
    this.previousSoft = this.softState();
    this.resetElectionTimeout();
  }

  // ---- inputs ------------------------------------------------------------------------------------

  /** Advance logical time by one tick (elections, heartbeats, CheckQuorum, transfer timeouts). */
  tick(): void {
    if (this.leader !== undefined) {
      if (this.leader.tick()) this.becomeFollower(this.term, NO_NODE);
      return;
    }
    this.electionElapsed++;
    if (this.electionElapsed >= this.randomizedElectionTimeout && isVoter(this.config, this.id)) {
      this.electionElapsed = 0;
      this.startElection(this.options.preVote, false);
    }
  }

  /** Handle a message from a peer, following Raft §5.1 for terms and thesis §4.2.3 for disruptions. */
  step(message: Message): void {
    if (message.to !== this.id || message.from === this.id) return;
    if (message.term > this.term) {
      if (message.type === 'RequestVote') {
        // Leader lease (thesis §4.2.3): a node that heard from a leader within the minimum election
        // timeout ignores campaigns, so a partitioned node rejoining cannot depose a healthy leader.
        const inLease =
          this.options.checkQuorum &&
          this.leaderId !== NO_NODE &&
          this.electionElapsed < this.options.electionTicks;
        if (inLease && !message.transfer) return;
      }
      const keepsTerm =
        (message.type === 'RequestVote' && message.preVote) ||
        (message.type === 'RequestVoteResponse' && message.preVote && message.granted);
      if (!keepsTerm) {
        const fromLeader =
          message.type === 'AppendEntries' ||
          message.type === 'Heartbeat' ||
          message.type === 'TimeoutNow' ||
          message.type === 'InstallSnapshot';
        this.becomeFollower(message.term, fromLeader ? message.from : NO_NODE);
      }
    } else if (message.term < this.term) {
      this.stepStale(message);
      return;
    }
    this.stepCurrent(message);
  }

  /**
   * Propose application data. The outcome appears in a later Ready's `proposalOutcomes`.
   *
   * `context` (optional) is the proposal's trace context, opaque bytes (26: W3C Trace Context in binary
   * form, see {@link TRACE_CONTEXT_BYTES}; any other length is ignored). It is not part of the entry:
   * a follower forwards it in its `Propose`, and the leader attaches it (`AppendEntries.traces`) to
   * every AppendEntries carrying the entry until every follower holds it, keeping at most 1,024 such
   * contexts (the oldest are dropped first). Without it nothing about the proposal changes.
   */
  propose(proposalId: number, data: Uint8Array, context?: Uint8Array): void {
    this.proposeEntry(proposalId, 'normal', data, context);
  }

  /**
   * Leader only: change the cluster's membership to `target` (its final configuration: voters,
   * learners, addresses; `outgoingVoters` empty). The engine enters a joint configuration when the
   * change needs one and leaves it automatically once it commits (see `nextConfig`). One change at a
   * time: refused with `config-in-progress` while one is unfinished, `invalid-config` for a target that
   * cannot work. The outcome's index is the first configuration entry's.
   */
  proposeConfig(proposalId: number, target: ClusterConfig): void {
    const leader = this.leader;
    if (leader === undefined || leader.transferee !== NO_NODE) {
      this.rejectProposal(proposalId, leader === undefined ? 'not-leader' : 'transferring');
      return;
    }
    if (configProblem(target) !== undefined) {
      this.rejectProposal(proposalId, 'invalid-config');
      return;
    }
    if (this.hasUncommittedConfig() || isJoint(this.config)) {
      this.rejectProposal(proposalId, 'config-in-progress');
      return;
    }
    const committedInTerm = this.log.term(this.log.committed) === this.term;
    this.proposeEntry(proposalId, 'config', encodeConfig(nextConfig(this.config, target, committedInTerm)));
  }

  /**
   * After the commit index moved on a leader: leave a committed joint configuration, and step down
   * once a configuration without this node is committed (thesis §4.2.2: a removed leader manages the
   * change until it commits, without counting itself).
   */
  private finishConfigChange(): void {
    // Called on every append acknowledgement: O(1) unless a configuration just committed.
    if (this.leader === undefined || this.hasUncommittedConfig() || this.configSettled === this.configIndex)
      return;
    this.configSettled = this.configIndex;
    // Members the committed change removed stop being replicated to, once the commit news asked for
    // with it has gone out to them too (so they learn of their removal).
    this.leader.flushBroadcast();
    this.leader.syncMembers();
    if (isJoint(this.config)) {
      this.appendOwn('config', encodeConfig(leaveJoint(this.config)));
      this.leader.requestBroadcast(false);
    } else if (!isVoter(this.config, this.id)) {
      // Tell followers the commit index first, so they learn the change without waiting for a leader.
      this.leader.broadcastAppend(true);
      this.becomeFollower(this.term, NO_NODE);
    }
  }

  /**
   * Ask for a linearizable read index; the answer appears in `readStates` or `readFailures`. With `lease`
   * (and CheckQuorum on), a leader serves it from its lease when the lease holds, as `leaseRead` does
   * for every read (thesis §6.4.1, bounded clock drift assumed); a follower forwards it as an ordinary
   * ReadIndex, so there it costs a heartbeat round as usual.
   */
  readIndex(requestId: number, lease = false): void {
    if (this.leader !== undefined) {
      this.leader.readIndex(this.id, requestId, lease);
    } else if (this.leaderId !== NO_NODE && this.role === 'follower') {
      this.send({ type: 'ReadIndex', from: this.id, to: this.leaderId, term: this.term, requestId });
    } else {
      this.readFailures.push({ requestId, reason: 'not-leader', leaderHint: this.leaderId });
    }
  }

  /** Leader only: hand leadership to `to` (thesis §3.10). Ignored elsewhere. */
  transferLeadership(to: NodeId): void {
    this.leader?.transfer(to);
  }

  /** Start an election now (tests and operators); a no-op on a leader or a non-voter. */
  campaign(): void {
    if (this.leader === undefined && isVoter(this.config, this.id))
      this.startElection(this.options.preVote, false);
  }

  // ---- snapshots (Raft §7) -----------------------------------------------------------------------

  /**
   * Whether the driver should store this InstallSnapshot chunk, after {@link step} took it: it comes
   * from the leader of our current term and carries a snapshot past our commit index.
   */
  wantsSnapshot(message: InstallSnapshot): boolean {
    return (
      this.role === 'follower' &&
      message.term === this.term &&
      message.from === this.leaderId &&
      message.meta.index > this.log.committed
    );
  }

  /**
   * A snapshot received from the leader is now in storage (installed atomically) and in the state
   * machine: rebase the log on it and tell the leader. Returns false, changing nothing, when the
   * snapshot is no longer ahead of our commit index (the log caught up meanwhile).
   */
  restoreSnapshot(meta: SnapshotMeta): boolean {
    if (this.leader !== undefined || meta.index <= this.log.committed) return false;
    this.log.restore(meta);
    this.snapshot = meta;
    this.snapshotConfig = meta.config;
    this.refreshConfig();
    if (this.leaderId !== NO_NODE) {
      this.sendAfterPersist(this.appendResponse(this.leaderId, true, meta.index));
    }
    return true;
  }

  /** A snapshot of this node's own state machine was saved to storage. */
  snapshotSaved(meta: SnapshotMeta): void {
    if (this.snapshot === undefined || meta.index > this.snapshot.index) {
      this.snapshot = meta;
      this.snapshotConfig = meta.config;
    }
  }

  /**
   * Discard log entries up to `index` from memory (the driver compacts storage the same way). Clamped
   * to what the snapshot covers and what is applied and durable here. Returns the new compaction point.
   */
  compact(index: number): number {
    const limit = Math.min(index, this.snapshot?.index ?? 0, this.log.applied, this.log.persistedIndex);
    this.log.compactTo(limit);
    return this.log.offset().index;
  }

  /** The configuration in force at `index` (at or after the latest snapshot's index). */
  configAt(index: number): ClusterConfig {
    return this.configEntryAt(index).config;
  }

  /** The last config entry at or below `index` and where it is; the snapshot's when the log has none. */
  private configEntryAt(index: number): { config: ClusterConfig; index: number } {
    for (let i = Math.min(index, this.log.lastIndex()); i >= this.log.firstIndex(); i--) {
      const entry = this.log.entry(i)!;
      if (entry.type === 'config') return { config: decodeConfig(entry.data), index: i };
    }
    return { config: this.snapshotConfig, index: this.snapshot?.index ?? 0 };
  }

  /** Leader only: the driver's snapshot transfer to `to` succeeded or failed. */
  reportSnapshot(to: NodeId, succeeded: boolean): void {
    this.leader?.reportSnapshot(to, succeeded);
  }

  // ---- output ------------------------------------------------------------------------------------

  hasReady(): boolean {
    if (this.leader?.readRoundWanted() || this.leader?.broadcastPending()) return true;
    return (
      this.messages.length > 0 ||
      this.persistedMessages.length > 0 ||
      this.log.hasUnstable() ||
      this.log.hasEntriesToApply() ||
      this.readStates.length > 0 ||
      this.readFailures.length > 0 ||
      this.proposalOutcomes.length > 0 ||
      this.snapshotRequests.length > 0 ||
      this.configChanged ||
      !sameHardState(this.hardState(), this.previousHard) ||
      !sameSoftState(this.softState(), this.previousSoft)
    );
  }

  /**
   * Committed entries not handed out yet, for a driver whose previous Ready is still being written:
   * applying them need not wait for that write, since a quorum holds them durably (see {@link Ready},
   * step 4). Only entries already handed to storage are returned. Report them applied with
   * {@link appliedTo}.
   */
  takeCommittedEntries(): Entry[] {
    return this.log.takeEntriesToApply();
  }

  /** The driver applied every entry up to `index` (handed out by {@link takeCommittedEntries}). */
  appliedTo(index: number): void {
    this.log.appliedTo(index);
  }

  /** Take the next batch of work. See {@link Ready} for the order in which to carry it out. */
  ready(): Ready {
    // Reads that arrived since the last batch share one confirmation round.
    if (this.leader?.readRoundWanted()) this.leader.broadcastHeartbeat();
    // Appends asked for since the last batch go out as one message per follower.
    this.leader?.flushBroadcast();
    const soft = this.softState();
    const hard = this.hardState();
    const entries = this.log.takeUnstable();
    const ready: Ready = {
      softState: sameSoftState(soft, this.previousSoft) ? undefined : soft,
      hardState: sameHardState(hard, this.previousHard) ? undefined : hard,
      entries,
      mustSync:
        entries.length > 0 || hard.term !== this.previousHard.term || hard.vote !== this.previousHard.vote,
      messages: this.messages,
      persistedMessages: this.persistedMessages,
      committedEntries: this.log.takeEntriesToApply(),
      readStates: this.readStates,
      readFailures: this.readFailures,
      proposalOutcomes: this.proposalOutcomes,
      config: this.configChanged ? this.config : undefined,
      snapshotRequests: this.snapshotRequests,
    };
    this.previousSoft = soft;
    this.previousHard = hard;
    this.messages = [];
    this.persistedMessages = [];
    this.readStates = [];
    this.readFailures = [];
    this.proposalOutcomes = [];
    this.snapshotRequests = [];
    this.configChanged = false;
    return ready;
  }

  /** Confirm that `ready` was carried out: its entries are durable and its committed entries applied. */
  advance(ready: Ready): void {
    const lastPersisted = ready.entries[ready.entries.length - 1];
    if (lastPersisted !== undefined) {
      this.log.persistedTo(lastPersisted);
      this.leader?.onPersisted();
      this.finishConfigChange();
    }
    const lastApplied = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastApplied !== undefined) this.log.appliedTo(lastApplied.index);
  }

  /** The leader this node knows of, or NO_NODE: what `status().leader` says, without building a status. */
  knownLeader(): NodeId {
    return this.leaderId;
  }

  status(): RaftStatus {
    const progress = new Map<NodeId, ProgressStatus>();
    if (this.leader !== undefined) {
      for (const [id, p] of this.leader.progress) {
        progress.set(id, { match: p.match, next: p.next, state: p.state, recentActive: p.recentActive });
      }
    }
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leader: this.leaderId,
      commitIndex: this.log.committed,
      appliedIndex: this.log.applied,
      lastIndex: this.log.lastIndex(),
      config: this.config,
      progress,
      transferee: this.leader?.transferee ?? NO_NODE,
    };
  }

  /** @internal Trace contexts the leader holds for entries in flight (0 on other roles); for tests. */
  tracedInFlight(): number {
    return this.leader?.traces.size ?? 0;
  }

  inspect(): RaftInspection {
    return {
      status: this.status(),
      hardState: this.hardState(),
      firstIndex: this.log.firstIndex(),
      entries: this.log.view(),
      persistedIndex: this.log.persistedIndex,
    };
  }

  // ---- message handling --------------------------------------------------------------------------

  /** A message from an older term (§5.1): tell a stale leader or pre-candidate about the newer term. */
  private stepStale(message: Message): void {
    if (
      message.type === 'AppendEntries' ||
      message.type === 'Heartbeat' ||
      message.type === 'InstallSnapshot'
    ) {
      this.sendAfterPersist({
        type: 'AppendEntriesResponse',
        from: this.id,
        to: message.from,
        term: this.term,
        success: false,
        matchIndex: 0,
        rejectedIndex: 0,
        hintIndex: 0,
        hintTerm: 0,
      });
    } else if (message.type === 'RequestVote' && message.preVote) {
      this.sendAfterPersist(this.voteResponse(message, false));
    } else if (message.type === 'Propose') {
      this.rejectForwardedProposal(message.from, message.proposalId);
    } else if (message.type === 'ReadIndex') {
      this.failRead(message.from, message.requestId, 'not-leader');
    } else if (message.type === 'ProposeResponse' || message.type === 'ReadIndexResponse') {
      // Answers to our own requests stay meaningful whatever the term.
      this.stepCurrent(message);
    }
  }

  /** A message of the current term (or one that keeps our term, like a pre-vote). */
  private stepCurrent(message: Message): void {
    switch (message.type) {
      case 'RequestVote':
        this.handleVoteRequest(message);
        return;
      case 'RequestVoteResponse':
        this.handleVoteResponse(message);
        return;
      case 'AppendEntries':
        if (this.leader !== undefined) return; // Election Safety: no other leader in our term.
        this.acceptLeader(message.from);
        this.handleAppendEntries(message);
        return;
      case 'Heartbeat':
        if (this.leader !== undefined) return;
        this.acceptLeader(message.from);
        this.handleHeartbeat(message);
        return;
      case 'AppendEntriesResponse':
        this.leader?.handleAppendResponse(message);
        this.finishConfigChange();
        return;
      case 'HeartbeatResponse':
        this.leader?.handleHeartbeatResponse(message);
        return;
      case 'TimeoutNow':
        // Thesis §3.10: the leader chose us; campaign at once, skipping PreVote and the lease.
        if (this.leader === undefined && isVoter(this.config, this.id)) this.startElection(false, true);
        return;
      case 'ReadIndex':
        if (this.leader !== undefined) this.leader.readIndex(message.from, message.requestId);
        else this.failRead(message.from, message.requestId, 'not-leader');
        return;
      case 'ReadIndexResponse':
        if (message.index > 0) this.readStates.push({ requestId: message.requestId, index: message.index });
        else
          this.readFailures.push({
            requestId: message.requestId,
            reason: 'not-leader',
            leaderHint: this.leaderId,
          });
        return;
      case 'Propose':
        this.handleForwardedProposal(message.from, message.proposalId, message.data, message.trace);
        return;
      case 'InstallSnapshot':
        if (this.leader !== undefined) return;
        this.acceptLeader(message.from);
        // Already past it: tell the leader where we are; the driver drops the chunk (wantsSnapshot).
        if (message.meta.index <= this.log.committed) {
          this.sendAfterPersist(this.appendResponse(message.from, true, this.log.committed));
        }
        return;
      case 'InstallSnapshotResponse': {
        const progress = this.leader?.progress.get(message.from);
        if (progress !== undefined) progress.recentActive = true;
        return;
      }
      case 'ProposeResponse':
        this.proposalOutcomes.push(
          message.index > 0
            ? {
                proposalId: message.proposalId,
                accepted: true,
                index: message.index,
                term: message.entryTerm,
              }
            : {
                proposalId: message.proposalId,
                accepted: false,
                reason: 'dropped',
                leaderHint: this.leaderId,
              },
        );
        return;
      default: {
        const unreachable: never = message;
        void unreachable;
      }
    }
  }

  /** Append a follower's proposal once, however often the message arrives. */
  private handleForwardedProposal(
    from: NodeId,
    proposalId: number,
    data: Uint8Array,
    context: Uint8Array | undefined,
  ): void {
    const earlier = this.forwarded.get(from, proposalId);
    if (earlier === undefined && (this.leader === undefined || this.leader.transferee !== NO_NODE)) {
      this.rejectForwardedProposal(from, proposalId);
      return;
    }
    let placement = earlier;
    if (placement === undefined) {
      this.appendOwn('normal', data);
      if (context !== undefined) this.leader?.traceEntry(this.log.lastIndex(), context);
      this.leader?.requestBroadcast(false);
      placement = { index: this.log.lastIndex(), term: this.term };
      this.forwarded.remember(from, proposalId, placement);
    }
    this.send({
      type: 'ProposeResponse',
      from: this.id,
      to: from,
      term: this.term,
      proposalId,
      index: placement.index,
      entryTerm: placement.term,
    });
  }

  private rejectForwardedProposal(to: NodeId, proposalId: number): void {
    this.send({
      type: 'ProposeResponse',
      from: this.id,
      to,
      term: this.term,
      proposalId,
      index: 0,
      entryTerm: 0,
    });
  }

  /** Raft §5.2 and §5.4.1: one vote per term, only for a candidate whose log is at least as up to date. */
  private handleVoteRequest(message: RequestVote): void {
    // Thesis §9.6: a pre-vote is granted only by a node that has not heard from a leader for an
    // election timeout, whether or not CheckQuorum's lease is on.
    const heardFromLeader = this.leaderId !== NO_NODE && this.electionElapsed < this.options.electionTicks;
    const canVote =
      this.vote === message.from ||
      (this.vote === NO_NODE && this.leaderId === NO_NODE) ||
      (message.preVote && message.term > this.term && !heardFromLeader);
    const granted = canVote && this.log.isUpToDate(message.lastLogIndex, message.lastLogTerm);
    if (granted && !message.preVote) {
      this.vote = message.from;
      this.electionElapsed = 0;
    }
    // The vote must be durable before the candidate hears of it (Figure 2: persist before responding).
    this.sendAfterPersist(this.voteResponse(message, granted));
  }

  private voteResponse(message: RequestVote, granted: boolean): RequestVoteResponse {
    return {
      type: 'RequestVoteResponse',
      from: this.id,
      to: message.from,
      // A granted pre-vote answers in the term the pre-candidate would use, so it does not look stale.
      term: granted && message.preVote ? message.term : this.term,
      preVote: message.preVote,
      granted,
    };
  }

  private handleVoteResponse(message: RequestVoteResponse): void {
    const expectPreVote = this.role === 'pre-candidate';
    if ((this.role !== 'candidate' && !expectPreVote) || message.preVote !== expectPreVote) return;
    this.votes.set(message.from, message.granted);
    const result = voteResult(this.config, this.votes);
    if (result === 'won') {
      if (expectPreVote) this.startElection(false, false);
      else this.becomeLeader();
    } else if (result === 'lost') {
      this.becomeFollower(this.term, NO_NODE);
    }
  }

  private acceptLeader(from: NodeId): void {
    if (this.role !== 'follower') this.becomeFollower(this.term, from);
    this.leaderId = from;
    this.electionElapsed = 0;
  }

  /** Raft §5.3: the consistency check, conflict truncation and commit advance, with a fast-backtrack hint. */
  private handleAppendEntries(message: AppendEntries): void {
    const { log } = this;
    if (message.prevLogIndex < log.committed) {
      // Everything up to our commit index matches any current leader (Leader Completeness).
      this.sendAfterPersist(this.appendResponse(message.from, true, log.committed));
      return;
    }
    const lastNew = this.appendFromLeader(message.prevLogIndex, message.prevLogTerm, message.entries);
    if (lastNew !== undefined) {
      log.commitTo(Math.min(message.leaderCommit, lastNew));
      this.sendAfterPersist(this.appendResponse(message.from, true, lastNew));
      return;
    }
    const hintIndex = log.findConflictByTerm(
      Math.min(message.prevLogIndex, log.lastIndex()),
      message.prevLogTerm,
    );
    this.sendAfterPersist({
      ...this.appendResponse(message.from, false, 0),
      rejectedIndex: message.prevLogIndex,
      hintIndex,
      hintTerm: log.term(hintIndex) ?? 0,
    });
  }

  private appendResponse(to: NodeId, success: boolean, matchIndex: number) {
    return {
      type: 'AppendEntriesResponse' as const,
      from: this.id,
      to,
      term: this.term,
      success,
      matchIndex,
      rejectedIndex: 0,
      hintIndex: 0,
      hintTerm: 0,
    };
  }

  private handleHeartbeat(message: Heartbeat): void {
    // The leader sends min(our match, its commit), which we are known to hold.
    const commit = Math.min(message.commit, this.log.lastIndex());
    this.log.commitTo(commit);
    this.send({
      type: 'HeartbeatResponse',
      from: this.id,
      to: message.from,
      term: this.term,
      readSeq: message.readSeq,
    });
  }

  /** Follower append that keeps the configuration in step with the log (it takes effect when appended). */
  private appendFromLeader(
    prevIndex: number,
    prevTerm: number,
    entries: readonly Entry[],
  ): number | undefined {
    const truncationsBefore = this.log.truncations;
    const lastNew = this.log.tryAppend(prevIndex, prevTerm, entries);
    if (lastNew === undefined) return undefined;
    // A removed entry may have been the configuration in force; a new one may bring one.
    if (this.log.truncations !== truncationsBefore || entries.some((entry) => entry.type === 'config')) {
      this.refreshConfig();
    }
    return lastNew;
  }

  // ---- roles -------------------------------------------------------------------------------------

  private startElection(preVote: boolean, transfer: boolean): void {
    if (preVote) {
      this.role = 'pre-candidate';
      this.leaderId = NO_NODE;
    } else {
      this.role = 'candidate';
      this.term++;
      this.vote = this.id;
      this.leaderId = NO_NODE;
    }
    this.leader?.abandon();
    this.leader = undefined;
    this.votes = new Map([[this.id, true]]);
    this.electionElapsed = 0;
    this.resetElectionTimeout();
    const result = voteResult(this.config, this.votes);
    if (result === 'won') {
      if (preVote) this.startElection(false, transfer);
      else this.becomeLeader();
      return;
    }
    const term = preVote ? this.term + 1 : this.term;
    for (const to of allVoters(this.config)) {
      if (to === this.id) continue;
      const request: RequestVote = {
        type: 'RequestVote',
        from: this.id,
        to,
        term,
        preVote,
        lastLogIndex: this.log.lastIndex(),
        lastLogTerm: this.log.lastTerm(),
        transfer,
      };
      // A real candidate's own term and vote must be durable before anyone can act on its request.
      if (preVote) this.send(request);
      else this.sendAfterPersist(request);
    }
  }

  private becomeFollower(term: number, leaderId: NodeId): void {
    if (term > this.term) {
      this.term = term;
      this.vote = NO_NODE;
    }
    // Set the new leader first: reads failed by abandon() carry it as their hint.
    this.leaderId = leaderId;
    this.role = 'follower';
    this.leader?.abandon();
    this.leader = undefined;
    this.electionElapsed = 0;
    this.resetElectionTimeout();
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.id;
    this.configSettled = 0;
    this.leader = new Leader(this);
    // Raft §8: a no-op of the new term lets the leader commit (and learn the commit index) at once.
    this.appendOwn('normal', new Uint8Array(0));
    this.leader.broadcastAppend(true);
  }

  // ---- leader-side helpers -----------------------------------------------------------------------

  private proposeEntry(proposalId: number, type: EntryType, data: Uint8Array, context?: Uint8Array): void {
    const leader = this.leader;
    if (leader !== undefined) {
      if (leader.transferee !== NO_NODE) {
        this.rejectProposal(proposalId, 'transferring');
        return;
      }
      this.appendOwn(type, data);
      if (context !== undefined) leader.traceEntry(this.log.lastIndex(), context);
      this.proposalOutcomes.push({
        proposalId,
        accepted: true,
        index: this.log.lastIndex(),
        term: this.term,
      });
      leader.requestBroadcast(false);
      return;
    }
    if (
      type === 'normal' &&
      this.options.forwardProposals &&
      this.leaderId !== NO_NODE &&
      this.role === 'follower'
    ) {
      const propose: Propose = {
        type: 'Propose',
        from: this.id,
        to: this.leaderId,
        term: this.term,
        proposalId,
        data,
      };
      // Only a well-formed context travels: a message the codec cannot encode would never arrive.
      this.send(context?.length === TRACE_CONTEXT_BYTES ? { ...propose, trace: context } : propose);
      return;
    }
    this.rejectProposal(proposalId, 'not-leader');
  }

  private rejectProposal(proposalId: number, reason: RejectReason): void {
    this.proposalOutcomes.push({ proposalId, accepted: false, reason, leaderHint: this.leaderId });
  }

  /** Append one entry of our own term to our log (leader only). */
  private appendOwn(type: EntryType, data: Uint8Array): void {
    this.log.append([{ index: this.log.lastIndex() + 1, term: this.term, type, data }]);
    if (type === 'config') this.refreshConfig();
  }

  private hasUncommittedConfig(): boolean {
    return this.configIndex > this.log.committed;
  }

  // ---- configuration -----------------------------------------------------------------------------

  /** @internal The last configuration known committed. */
  committedConfig(): ClusterConfig {
    return this.hasUncommittedConfig() ? this.configAt(this.log.committed) : this.config;
  }

  /** The configuration in force is the last config entry in the log, else the snapshot's (thesis §4.1). */
  private refreshConfig(): void {
    const { config: next, index } = this.configEntryAt(this.log.lastIndex());
    this.configIndex = index;
    if (sameConfig(next, this.config)) return;
    this.config = next;
    this.configChanged = true;
    this.leader?.syncMembers();
  }

  // ---- plumbing ----------------------------------------------------------------------------------

  /** @internal */
  requestSnapshot(to: NodeId, index: number): void {
    this.snapshotRequests.push({ to, index });
  }

  /** @internal Queue a message that may go out before this batch is persisted. */
  send(message: Message): void {
    this.messages.push(message);
  }

  private sendAfterPersist(message: Message): void {
    this.persistedMessages.push(message);
  }

  /** @internal */
  serveRead(from: NodeId, requestId: number, index: number): void {
    if (from === this.id) this.readStates.push({ requestId, index });
    else this.send({ type: 'ReadIndexResponse', from: this.id, to: from, term: this.term, requestId, index });
  }

  /** @internal */
  failRead(from: NodeId, requestId: number, reason: RejectReason): void {
    if (from === this.id) this.readFailures.push({ requestId, reason, leaderHint: this.leaderId });
    else
      this.send({ type: 'ReadIndexResponse', from: this.id, to: from, term: this.term, requestId, index: 0 });
  }

  private resetElectionTimeout(): void {
    const base = this.options.electionTicks;
    this.randomizedElectionTimeout = base + Math.floor(this.options.random() * base);
  }

  private hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  private softState(): SoftState {
    return { role: this.role, leader: this.leaderId, term: this.term };
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function sameMembers(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function sameConfig(a: ClusterConfig, b: ClusterConfig): boolean {
  return (
    sameMembers(a.voters, b.voters) &&
    sameMembers(a.outgoingVoters, b.outgoingVoters) &&
    sameMembers(a.learners, b.learners) &&
    sameAddresses(a, b)
  );
}

function sameSoftState(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leader === b.leader && a.term === b.term;
}
