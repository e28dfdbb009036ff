import type {
  Attributes,
  BatchObservableCallback,
  Histogram,
  Meter,
  Observable,
  ObservableCounter,
  ObservableGauge,
} from '@opentelemetry/api';
import type { Message, NodeId, RaftEvent, Role } from '@raft/core';
import { MessageCounts } from './message-counts.js';
import { RAFT_ATTRIBUTES, RAFT_METRIC_NAMES } from './raft-semantic-conventions.js';
import type { RateCappedSampler } from './rate-capped-sampler.js';

type Event<T extends RaftEvent['type']> = Extract<RaftEvent, { type: T }>;
type SettleReason = Event<'proposals-settled'>['reason'];
type SnapshotOperation = 'create' | 'install';

const ROLES: readonly Role[] = ['follower', 'pre-candidate', 'candidate', 'leader'];

// Bucket advice (the SDK's defaults are made for milliseconds and would put every Raft latency in
// the first bucket). Users can still override them with SDK views.
const SECONDS_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
const COUNT_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];
const BYTES_BUCKETS = [64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216];

/** A counted series: its running total and the attributes it is reported with (built once). */
interface Tally {
  value: number;
  readonly attributes: Attributes;
}

/**
 * The metrics of one node. Levels (term, role, indices, lag) and counters are plain fields updated by
 * its per-event methods and read by one batch callback when a reader collects; only latencies and
 * sizes go to SDK histograms as they happen.
 */
export class NodeMetrics {
  /** Levels are reported once known (the node started or changed role), never as made-up zeros. */
  private known = false;
  private running = false;
  private term = 0;
  private role: Role = 'follower';
  private leader: NodeId = '';
  private leaderTerm = 0;
  private commitIndex = 0;
  private appliedIndex = 0;
  private readonly lag = new Map<NodeId, Tally>();

  private readonly leaderChanges: Tally;
  private readonly preVotesStarted: Tally;
  private readonly votesStarted: Tally;
  private readonly electionsWon: Tally;
  private readonly nodeFailures: Tally;
  private readonly proposals = new Map<SettleReason, Tally>();
  private readonly snapshotCounts: Record<SnapshotOperation, Tally>;
  private readonly sent: MessageCounts;
  private readonly received: MessageCounts;
  private readonly dropped: MessageCounts;
  private readonly roleAttributes: ReadonlyMap<Role, Attributes>;

  private readonly proposalDuration: Histogram;
  private readonly persistDuration: Histogram;
  private readonly persistEntries: Histogram;
  private readonly persistBytes: Histogram;
  private readonly applyDuration: Histogram;
  private readonly applyEntries: Histogram;
  private readonly readDuration: Histogram;
  private readonly snapshotSize: Histogram;
  private readonly snapshotDuration: Histogram;
  private readonly outcomeAttributes = new Map<string, Attributes>();

  private readonly observables: {
    readonly term: ObservableGauge;
    readonly role: ObservableGauge;
    readonly commitIndex: ObservableGauge;
    readonly appliedIndex: ObservableGauge;
    readonly replicationLag: ObservableGauge;
    readonly leaderChanges: ObservableCounter;
    readonly electionsStarted: ObservableCounter;
    readonly electionsWon: ObservableCounter;
    readonly proposals: ObservableCounter;
    readonly messagesSent: ObservableCounter;
    readonly messagesReceived: ObservableCounter;
    readonly messagesDropped: ObservableCounter;
    readonly snapshots: ObservableCounter;
    readonly nodeFailures: ObservableCounter;
  };
  private readonly collect: BatchObservableCallback;

  constructor(
    private readonly meter: Meter,
    private readonly base: Attributes,
    /** Which applied proposals get their latency recorded (see `proposalDurationSampleRatio` and `proposalDurationMaxPerSecond`). */
    private readonly proposalDurationSampler: RateCappedSampler,
  ) {
    const tally = (extra: Attributes = {}): Tally => ({ value: 0, attributes: { ...base, ...extra } });
    this.leaderChanges = tally();
    this.preVotesStarted = tally({ [RAFT_ATTRIBUTES.electionType]: 'pre-vote' });
    this.votesStarted = tally({ [RAFT_ATTRIBUTES.electionType]: 'vote' });
    this.electionsWon = tally();
    this.nodeFailures = tally();
    this.snapshotCounts = {
      create: tally({ [RAFT_ATTRIBUTES.snapshotOperation]: 'create' }),
      install: tally({ [RAFT_ATTRIBUTES.snapshotOperation]: 'install' }),
    };
    this.sent = new MessageCounts(base);
    this.received = new MessageCounts(base);
    this.dropped = new MessageCounts(base, RAFT_ATTRIBUTES.dropReason);
    this.roleAttributes = new Map(ROLES.map((role) => [role, { ...base, [RAFT_ATTRIBUTES.role]: role }]));

    const m = RAFT_METRIC_NAMES;
    const histogram = (name: string, unit: string, description: string, buckets: number[]) =>
      meter.createHistogram(name, { unit, description, advice: { explicitBucketBoundaries: buckets } });
    this.proposalDuration = histogram(
      m.proposalDuration,
      's',
      'Time from propose() to the proposal applied on this node',
      SECONDS_BUCKETS,
    );
    this.persistDuration = histogram(
      m.persistDuration,
      's',
      'Duration of one durable storage write',
      SECONDS_BUCKETS,
    );
    this.persistEntries = histogram(m.persistEntries, '{entry}', 'Entries per storage write', COUNT_BUCKETS);
    this.persistBytes = histogram(
      m.persistBytes,
      'By',
      'Entry payload bytes per storage write',
      BYTES_BUCKETS,
    );
    this.applyDuration = histogram(
      m.applyDuration,
      's',
      'Duration of one state machine apply call',
      SECONDS_BUCKETS,
    );
    this.applyEntries = histogram(
      m.applyEntries,
      '{entry}',
      'Entries per state machine apply call',
      COUNT_BUCKETS,
    );
    this.readDuration = histogram(
      m.readIndexDuration,
      's',
      'Time from read() (ReadIndex) to its promise settling',
      SECONDS_BUCKETS,
    );
    this.snapshotSize = histogram(m.snapshotSize, 'By', 'Snapshot size', BYTES_BUCKETS);
    this.snapshotDuration = histogram(
      m.snapshotDuration,
      's',
      'Time to create or install a snapshot',
      SECONDS_BUCKETS,
    );

    const gauge = (name: string, unit: string, description: string) =>
      meter.createObservableGauge(name, { unit, description });
    const counter = (name: string, unit: string, description: string) =>
      meter.createObservableCounter(name, { unit, description });
    this.observables = {
      term: gauge(m.term, '{term}', 'Current Raft term of this node'),
      role: gauge(m.role, '1', '1 for the current role of this node, 0 for the others'),
      commitIndex: gauge(m.commitIndex, '{index}', 'Highest log index known committed'),
      appliedIndex: gauge(m.appliedIndex, '{index}', 'Highest log index applied to the state machine'),
      replicationLag: gauge(m.replicationLag, '{entry}', 'On the leader: entries each follower is missing'),
      leaderChanges: counter(
        m.leaderChanges,
        '{change}',
        'Times this node saw a new leader or a new leader term',
      ),
      electionsStarted: counter(
        m.electionsStarted,
        '{election}',
        'Elections (and PreVote rounds) this node started',
      ),
      electionsWon: counter(m.electionsWon, '{election}', 'Elections this node won'),
      proposals: counter(m.proposals, '{proposal}', 'Settled proposals by outcome and reason'),
      messagesSent: counter(m.messagesSent, '{message}', 'Messages handed to the transport'),
      messagesReceived: counter(m.messagesReceived, '{message}', 'Messages delivered to this node'),
      messagesDropped: counter(m.messagesDropped, '{message}', 'Outbound messages a transport dropped'),
      snapshots: counter(m.snapshots, '{snapshot}', 'Snapshots created or installed'),
      nodeFailures: counter(m.nodeFailures, '{failure}', 'Fatal failures of this node'),
    };
    this.collect = (result) => this.report(result.observe.bind(result));
    meter.addBatchObservableCallback(this.collect, Object.values(this.observables) as Observable[]);
  }

  /** Stop reporting (the batch callback is removed; histograms stay registered with the meter). */
  shutdown(): void {
    this.meter.removeBatchObservableCallback(this.collect, Object.values(this.observables) as Observable[]);
  }

  // One method per event kind, called by the instrumentation's single dispatch (see
  // raft-instrumentation.ts): message events arrive several times per proposal, so each is one
  // typed call with no second switch.

  messagesSent(messages: readonly Message[]): void {
    this.sent.addAll(messages, 'to');
  }

  messagesReceived(messages: readonly Message[]): void {
    this.received.addAll(messages, 'from');
  }

  messageDropped(event: Event<'message-dropped'>): void {
    this.dropped.add(event.messageType, event.to, event.reason);
  }

  committed(index: number): void {
    this.commitIndex = index;
  }

  applied(event: Event<'applied'>): void {
    this.appliedIndex = event.index;
    this.applyDuration.record(event.durationMs / 1000, this.base);
    this.applyEntries.record(event.entries, this.base);
  }

  persisted(event: Event<'persisted'>): void {
    this.persistDuration.record(event.durationMs / 1000, this.base);
    this.persistEntries.record(event.entries, this.base);
    this.persistBytes.record(event.bytes, this.base);
  }

  readSettled(event: Event<'read-settled'>): void {
    this.readDuration.record(
      event.durationMs / 1000,
      this.outcome(RAFT_ATTRIBUTES.readOutcome, event.outcome),
    );
  }

  nodeStarted(event: Event<'node-started'>): void {
    this.known = true;
    this.running = true;
    this.term = event.term;
    this.role = event.role;
    this.leader = event.leader;
    this.commitIndex = event.commitIndex;
    this.appliedIndex = event.appliedIndex;
  }

  nodeStopped(): void {
    this.running = false;
    this.zeroLag();
  }

  nodeFailed(): void {
    this.nodeFailures.value++;
  }

  snapshot(event: Event<'snapshot-created'> | Event<'snapshot-installed'>): void {
    const operation: SnapshotOperation = event.type === 'snapshot-created' ? 'create' : 'install';
    const tally = this.snapshotCounts[operation];
    tally.value++;
    this.snapshotSize.record(event.bytes, tally.attributes);
    this.snapshotDuration.record(event.durationMs / 1000, tally.attributes);
  }

  roleChanged(event: Event<'role-changed'>): void {
    this.known = true;
    this.running = true;
    const previous = this.role;
    this.term = event.term;
    this.role = event.role;
    if (event.role !== previous) {
      if (event.role === 'pre-candidate') this.preVotesStarted.value++;
      else if (event.role === 'leader') this.electionsWon.value++;
    }
    // A candidate timing out campaigns again in a new term: a new election with the same role.
    if (event.role === 'candidate') this.votesStarted.value++;
    if (event.role !== 'leader') this.zeroLag();
    if (event.leader !== '' && (event.leader !== this.leader || event.term !== this.leaderTerm)) {
      this.leaderChanges.value++;
      this.leaderTerm = event.term;
    }
    if (event.leader !== '') this.leader = event.leader;
  }

  replicationProgress(event: Event<'replication-progress'>): void {
    this.term = event.term;
    this.commitIndex = event.commitIndex;
    for (const [follower, progress] of event.progress) {
      let tally = this.lag.get(follower);
      if (tally === undefined) {
        tally = { value: 0, attributes: { ...this.base, [RAFT_ATTRIBUTES.followerId]: follower } };
        this.lag.set(follower, tally);
      }
      tally.value = Math.max(0, event.lastIndex - progress.match);
    }
    // A member removed from the configuration is no longer waited for.
    if (this.lag.size > event.progress.size) {
      for (const [follower, tally] of this.lag) if (!event.progress.has(follower)) tally.value = 0;
    }
  }

  /**
   * Not leading (any more): this node waits for nobody. The series are kept at 0 rather than dropped
   * because the JS SDK keeps reporting the last value of a cumulative series that stops being
   * observed, which would show a stale lag on a former leader forever.
   */
  private zeroLag(): void {
    for (const tally of this.lag.values()) tally.value = 0;
  }

  proposalsSettled(event: Event<'proposals-settled'>): void {
    let tally = this.proposals.get(event.reason);
    if (tally === undefined) {
      tally = {
        value: 0,
        attributes: {
          ...this.base,
          [RAFT_ATTRIBUTES.proposalOutcome]: event.outcome,
          [RAFT_ATTRIBUTES.proposalReason]: event.reason,
        },
      };
      this.proposals.set(event.reason, tally);
    }
    const proposals = event.proposals;
    tally.value += proposals.length;
    // Proposal-to-apply latency: only applied proposals have one. (A timeout's duration is the
    // timeout and a refusal's is immediate; both are counted above.) This is the one histogram
    // recorded per proposal, and each SDK record hashes its attribute set (about 0.3 µs with the node
    // id alone): past a rate cap an even share is recorded, so the cost stays bounded under load,
    // while the exact count stays in raft.proposals above.
    if (event.outcome !== 'applied') return;
    const sampler = this.proposalDurationSampler;
    const settledAt = event.settledAt;
    for (let i = 0; i < proposals.length; i++) {
      if (sampler.sample(settledAt)) {
        this.proposalDuration.record((settledAt - proposals[i]!.startedAt) / 1000, this.base);
      }
    }
  }

  /** The base attributes plus one (key, value), built once per pair. */
  private outcome(key: string, value: string): Attributes {
    const cacheKey = `${key}=${value}`;
    let attributes = this.outcomeAttributes.get(cacheKey);
    if (attributes === undefined) {
      attributes = { ...this.base, [key]: value };
      this.outcomeAttributes.set(cacheKey, attributes);
    }
    return attributes;
  }

  private report(observe: (metric: Observable, value: number, attributes: Attributes) => void): void {
    const o = this.observables;
    const base = this.base;
    observe(o.leaderChanges, this.leaderChanges.value, base);
    observe(o.electionsStarted, this.preVotesStarted.value, this.preVotesStarted.attributes);
    observe(o.electionsStarted, this.votesStarted.value, this.votesStarted.attributes);
    observe(o.electionsWon, this.electionsWon.value, base);
    observe(o.nodeFailures, this.nodeFailures.value, base);
    for (const tally of this.proposals.values()) observe(o.proposals, tally.value, tally.attributes);
    for (const tally of Object.values(this.snapshotCounts)) {
      if (tally.value > 0) observe(o.snapshots, tally.value, tally.attributes);
    }
    this.sent.each((value, attributes) => observe(o.messagesSent, value, attributes));
    this.received.each((value, attributes) => observe(o.messagesReceived, value, attributes));
    this.dropped.each((value, attributes) => observe(o.messagesDropped, value, attributes));
    if (!this.known) return;
    observe(o.term, this.term, base);
    // A stopped node holds no role: every role reads 0 (its term and indices stay true of its disk).
    for (const [role, attributes] of this.roleAttributes) {
      observe(o.role, this.running && role === this.role ? 1 : 0, attributes);
    }
    observe(o.commitIndex, this.commitIndex, base);
    observe(o.appliedIndex, this.appliedIndex, base);
    for (const tally of this.lag.values()) observe(o.replicationLag, tally.value, tally.attributes);
  }
}
