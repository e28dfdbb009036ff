// The names this package emits, in one place so dashboards and alerts can import them instead of
// retyping strings. Names follow the OpenTelemetry naming rules: lowercase, dot-separated namespaces,
// snake_case within a segment, units in UCUM (`s`, `By`) or as `{annotation}` for counted things,
// no unit suffix or `_total` in the name (exporters add those, e.g. Prometheus `raft_proposals_total`).

/** Every metric `raftInstrumentation` registers. */
export const RAFT_METRIC_NAMES = {
  /** Gauge `{term}`: the node's current term. */
  term: 'raft.term',
  /** Gauge `1`: 1 for the node's current role, 0 for the others (attribute `raft.role`). */
  role: 'raft.role',
  /** Counter `{change}`: times this node saw a new leader (a new leader, or the same one in a new term). */
  leaderChanges: 'raft.leader.changes',
  /** Counter `{election}`: elections this node started (attribute `raft.election.type`). */
  electionsStarted: 'raft.elections.started',
  /** Counter `{election}`: elections this node won. */
  electionsWon: 'raft.elections.won',
  /** Gauge `{index}`: highest log index known committed. */
  commitIndex: 'raft.commit.index',
  /** Gauge `{index}`: highest log index applied to the state machine. */
  appliedIndex: 'raft.applied.index',
  /** Counter `{proposal}`: settled proposals (attributes `raft.proposal.outcome`, `raft.proposal.reason`). */
  proposals: 'raft.proposals',
  /** Histogram `s`: proposal-to-apply latency, from `propose()` to the entry applied on this node (applied proposals only). */
  proposalDuration: 'raft.proposal.duration',
  /** Histogram `s`: one durable storage write (one batch). */
  persistDuration: 'raft.persist.duration',
  /** Histogram `{entry}`: entries per storage write (group commit size). */
  persistEntries: 'raft.persist.entries',
  /** Histogram `By`: entry payload bytes per storage write. */
  persistBytes: 'raft.persist.bytes',
  /** Histogram `s`: one state machine `apply` call (one batch). */
  applyDuration: 'raft.apply.duration',
  /** Histogram `{entry}`: entries per state machine `apply` call. */
  applyEntries: 'raft.apply.entries',
  /** Counter `{message}`: messages handed to the transport (attributes `raft.message.type`, `raft.peer.id`). */
  messagesSent: 'raft.messages.sent',
  /** Counter `{message}`: messages delivered to the node (attributes `raft.message.type`, `raft.peer.id`). */
  messagesReceived: 'raft.messages.received',
  /** Counter `{message}`: messages a transport reported dropped (plus `raft.message.drop_reason`). */
  messagesDropped: 'raft.messages.dropped',
  /** Gauge `{entry}`: on the leader, entries a follower is missing (attribute `raft.follower.id`). */
  replicationLag: 'raft.replication.lag',
  /** Histogram `s`: from `read()` to its promise settling (attribute `raft.read.outcome`). */
  readIndexDuration: 'raft.read_index.duration',
  /** Counter `{snapshot}`: snapshots created or installed (attribute `raft.snapshot.operation`). */
  snapshots: 'raft.snapshots',
  /** Histogram `By`: snapshot size (attribute `raft.snapshot.operation`). */
  snapshotSize: 'raft.snapshot.size',
  /** Histogram `s`: time to create or install a snapshot (attribute `raft.snapshot.operation`). */
  snapshotDuration: 'raft.snapshot.duration',
  /** Counter `{failure}`: fatal node failures (state machine, storage or engine threw). */
  nodeFailures: 'raft.node.failures',
} as const;

/** Attribute keys on metrics and spans. */
export const RAFT_ATTRIBUTES = {
  /** On every metric point and span: the node that reported it. */
  nodeId: 'raft.node.id',
  role: 'raft.role',
  electionType: 'raft.election.type',
  proposalOutcome: 'raft.proposal.outcome',
  proposalReason: 'raft.proposal.reason',
  proposalBytes: 'raft.proposal.bytes',
  messageType: 'raft.message.type',
  dropReason: 'raft.message.drop_reason',
  peerId: 'raft.peer.id',
  followerId: 'raft.follower.id',
  readOutcome: 'raft.read.outcome',
  snapshotOperation: 'raft.snapshot.operation',
  term: 'raft.term',
  logIndex: 'raft.log.index',
  prevLogIndex: 'raft.log.prev_index',
  firstIndex: 'raft.log.first_index',
  lastIndex: 'raft.log.last_index',
  entryCount: 'raft.entries.count',
  commitIndex: 'raft.commit.index',
  appendSuccess: 'raft.append.success',
  spanUnfinished: 'raft.span.unfinished',
} as const;

/** Span names and the events recorded on them. */
export const RAFT_SPAN_NAMES = {
  /** From `propose()` to its promise settling, on the node that proposed. */
  propose: 'raft.propose',
  /** Leader: from sending AppendEntries to a follower until its response covers them. */
  appendEntriesSend: 'raft.append_entries.send',
  /** Follower: from receiving AppendEntries until its (durable) response goes out. */
  appendEntriesReceive: 'raft.append_entries.receive',
  /** Leader, traced entries only: from the entry's first AppendEntries to its commit (child of `raft.propose`). */
  entryReplicate: 'raft.entry.replicate',
  /** Follower, traced entries only: from the AppendEntries carrying the entry to its apply here (child of `raft.propose`). */
  entryAppend: 'raft.entry.append',
  /** Span events on `raft.propose` (`raft.entry.applied` also ends `raft.entry.append`). */
  acceptedEvent: 'raft.proposal.accepted',
  committedEvent: 'raft.entry.committed',
  appliedEvent: 'raft.entry.applied',
  /** Span event on `raft.entry.replicate`: a follower acknowledged the entry (attribute `raft.peer.id`). */
  followerAcknowledgedEvent: 'raft.follower.acknowledged',
  /** Span event on `raft.entry.append`: this follower's response covering the entry went out (it is durable). */
  entryAcknowledgedEvent: 'raft.entry.acknowledged',
} as const;
