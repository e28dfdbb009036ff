import { type NodeId, StoppedError } from '@raft/core';
import { waitFor } from '@raft/testkit/conformance';
import { afterEach, describe, expect, it } from 'vitest';
import { RAFT_METRIC_NAMES as M, type RaftInstrumentation, raftInstrumentation } from '../src/index.js';
import { type InProcessCluster, inProcessCluster } from './in-process-cluster.js';
import { metricCollector } from './metric-collector.js';

// A real 3-node cluster in one process (memory network and storage, 5 ms ticks) reporting into an SDK
// MeterProvider the test collects from by hand. Waits are conditions with deadlines, never sleeps.
const IDS = ['a', 'b', 'c'] as const;
const encoder = new TextEncoder();
const heartbeat = { type: 'Heartbeat', from: 'a', to: 'b', term: 2, commit: 0, readSeq: 0 } as const;

let cluster: InProcessCluster | undefined;
let collector: ReturnType<typeof metricCollector> | undefined;
afterEach(async () => {
  await cluster?.stop();
  await collector?.shutdown();
  cluster = undefined;
  collector = undefined;
});

/** A cluster whose every node reports to one MeterProvider; returns the instrumentations too. */
function instrumentedCluster(ids: readonly NodeId[] = IDS) {
  collector = metricCollector();
  const meterProvider = collector.meterProvider;
  const instrumentations = new Map<NodeId, RaftInstrumentation>();
  cluster = inProcessCluster({
    ids,
    observer: (id) => {
      const instrumentation = raftInstrumentation({
        nodeId: id,
        meterProvider,
        attributes: { 'raft.cluster.id': 'test' },
        sampleRatio: 0,
        proposalDurationSampleRatio: 1,
      });
      instrumentations.set(id, instrumentation);
      return instrumentation.observer;
    },
  });
  return { cluster, collector, instrumentations };
}

describe('raftInstrumentation metrics in a 3-node cluster', () => {
  it('reports elections, roles, terms, indices, proposals, persists, messages, lag and reads with their units', async () => {
    const { cluster, collector } = instrumentedCluster();
    const leader = await cluster.startWithLeader('a');
    const payloads = Array.from({ length: 20 }, (_, i) => encoder.encode(`value-${i}`));
    const indices = await Promise.all(payloads.map((payload) => leader.propose(payload)));
    await leader.read();
    await cluster.waitForApplied(Math.max(...indices));
    // The leader samples replication progress once per tick: wait for a sample showing caught-up followers.
    let snapshot = await collector.collect();
    await waitFor(
      async () => {
        snapshot = await collector.collect();
        const lag = snapshot.points(M.replicationLag, { 'raft.node.id': 'a' });
        return lag.length === 2 && lag.every((point) => point.value === 0);
      },
      { timeoutMs: 5_000 },
    );

    // Units (OTel naming rules: seconds, bytes as By, counted things in braces).
    const units: Record<string, string> = {
      [M.term]: '{term}',
      [M.role]: '1',
      [M.leaderChanges]: '{change}',
      [M.electionsStarted]: '{election}',
      [M.electionsWon]: '{election}',
      [M.commitIndex]: '{index}',
      [M.appliedIndex]: '{index}',
      [M.proposals]: '{proposal}',
      [M.proposalDuration]: 's',
      [M.persistDuration]: 's',
      [M.persistEntries]: '{entry}',
      [M.persistBytes]: 'By',
      [M.applyDuration]: 's',
      [M.messagesSent]: '{message}',
      [M.messagesReceived]: '{message}',
      [M.replicationLag]: '{entry}',
      [M.readIndexDuration]: 's',
    };
    for (const [name, unit] of Object.entries(units))
      expect(snapshot.metric(name).descriptor.unit).toBe(unit);

    // Elections and roles: a won the election it started; everyone saw a leader appear.
    const onA = { 'raft.node.id': 'a' };
    expect(snapshot.value(M.electionsWon, onA)).toBeGreaterThanOrEqual(1);
    expect(
      snapshot.value(M.electionsStarted, { ...onA, 'raft.election.type': 'vote' }),
    ).toBeGreaterThanOrEqual(1);
    expect(snapshot.value(M.role, { ...onA, 'raft.role': 'leader' })).toBe(1);
    expect(snapshot.value(M.role, { ...onA, 'raft.role': 'follower' })).toBe(0);
    for (const id of ['b', 'c']) {
      expect(snapshot.value(M.role, { 'raft.node.id': id, 'raft.role': 'follower' })).toBe(1);
      expect(snapshot.value(M.electionsWon, { 'raft.node.id': id })).toBe(0);
    }
    for (const id of IDS) {
      const status = cluster.node(id).status();
      const onNode = { 'raft.node.id': id };
      expect(snapshot.value(M.term, onNode)).toBe(status.term);
      expect(snapshot.value(M.leaderChanges, onNode)).toBeGreaterThanOrEqual(1);
      expect(snapshot.value(M.commitIndex, onNode)).toBe(status.commitIndex);
      expect(snapshot.value(M.appliedIndex, onNode)).toBe(status.appliedIndex);
      // The user's attributes ride along on every point.
      expect(snapshot.points(M.term, onNode)[0]?.attributes['raft.cluster.id']).toBe('test');
    }

    // Proposals: twenty applied, each timed; persists carry at least the payload bytes.
    expect(snapshot.value(M.proposals, { ...onA, 'raft.proposal.outcome': 'applied' })).toBe(20);
    const proposalDuration = snapshot.histogram(M.proposalDuration, onA);
    expect(proposalDuration.count).toBe(20);
    expect(proposalDuration.sum).toBeGreaterThan(0);
    const payloadBytes = payloads.reduce((total, payload) => total + payload.length, 0);
    expect(snapshot.histogram(M.persistBytes, onA).sum).toBeGreaterThanOrEqual(payloadBytes);
    // Group commit: fewer writes than entries (20 proposals plus the leader's no-op).
    const persistEntries = snapshot.histogram(M.persistEntries, onA);
    expect(persistEntries.sum).toBeGreaterThanOrEqual(21);
    expect(snapshot.histogram(M.persistDuration, onA).count).toBeGreaterThan(0);
    expect(snapshot.histogram(M.readIndexDuration, { ...onA, 'raft.read.outcome': 'served' }).count).toBe(1);

    // Messages by type and peer, as both ends saw them.
    const appendsToB = snapshot.value(M.messagesSent, {
      ...onA,
      'raft.message.type': 'AppendEntries',
      'raft.peer.id': 'b',
    });
    expect(appendsToB).toBeGreaterThan(0);
    const appendsFromA = snapshot.value(M.messagesReceived, {
      'raft.node.id': 'b',
      'raft.message.type': 'AppendEntries',
      'raft.peer.id': 'a',
    });
    expect(appendsFromA).toBeGreaterThan(0);
    expect(appendsFromA).toBeLessThanOrEqual(appendsToB);

    // Replication lag only on the leader, one series per follower.
    const lag = snapshot.points(M.replicationLag);
    expect(lag.map((point) => point.attributes['raft.follower.id']).sort()).toEqual(['b', 'c']);
    expect(lag.every((point) => point.attributes['raft.node.id'] === 'a')).toBe(true);
  });

  it('replication lag counts the entries a cut-off follower is missing, and returns to 0 once it catches up', async () => {
    const { cluster, collector } = instrumentedCluster();
    const leader = await cluster.startWithLeader('a');
    cluster.network.isolate('c');
    await Promise.all(['1', '2', '3', '4', '5'].map((text) => leader.propose(encoder.encode(text))));
    const onC = { 'raft.node.id': 'a', 'raft.follower.id': 'c' };
    const expected = () => leader.status().lastIndex - (leader.status().progress.get('c')?.match ?? 0);
    await waitFor(async () => (await collector.collect()).value(M.replicationLag, onC) === expected(), {
      timeoutMs: 5_000,
    });
    expect(expected()).toBeGreaterThanOrEqual(5);
    cluster.network.heal();
    await waitFor(async () => (await collector.collect()).value(M.replicationLag, onC) === 0, {
      timeoutMs: 5_000,
    });
  });

  it('proposalDurationSampleRatio records that share of applied proposals in the histogram; raft.proposals stays exact', async () => {
    collector = metricCollector();
    const meterProvider = collector.meterProvider;
    cluster = inProcessCluster({
      ids: IDS,
      observer: (id) =>
        raftInstrumentation({ nodeId: id, meterProvider, sampleRatio: 0, proposalDurationSampleRatio: 0.25 })
          .observer,
    });
    const leader = await cluster.startWithLeader('a');
    await Promise.all(Array.from({ length: 20 }, (_, i) => leader.propose(encoder.encode(`v${i}`))));
    const snapshot = await collector.collect();
    const onA = { 'raft.node.id': 'a' };
    expect(snapshot.value(M.proposals, { ...onA, 'raft.proposal.outcome': 'applied' })).toBe(20);
    // Every 4th applied proposal: 5 of 20, deterministically.
    const duration = snapshot.histogram(M.proposalDuration, onA);
    expect(duration.count).toBe(5);
    expect(duration.sum).toBeGreaterThan(0);
  });

  it('a rejected proposal is counted with its outcome and reason', async () => {
    collector = metricCollector();
    const meterProvider = collector.meterProvider;
    cluster = inProcessCluster({
      ids: IDS,
      raft: { forwardProposals: false },
      observer: (id) => raftInstrumentation({ nodeId: id, meterProvider, sampleRatio: 0 }).observer,
    });
    await cluster.startWithLeader('a');
    await expect(cluster.node('b').propose(encoder.encode('x'))).rejects.toMatchObject({
      code: 'RAFT_NOT_LEADER',
    });
    const snapshot = await collector.collect();
    const match = {
      'raft.node.id': 'b',
      'raft.proposal.outcome': 'rejected',
      'raft.proposal.reason': 'not-leader',
    };
    expect(snapshot.value(M.proposals, match)).toBe(1);
    // Proposal-to-apply latency only exists for applied proposals.
    expect(
      snapshot.has(M.proposalDuration)
        ? snapshot.histogram(M.proposalDuration, { 'raft.node.id': 'b' }).count
        : 0,
    ).toBe(0);
  });

  it('a node failure is counted and the failed node holds no role any more', async () => {
    const { cluster, collector } = instrumentedCluster(['solo']);
    const node = await cluster.startWithLeader('solo');
    cluster.stateMachines.get('solo')!.failOn = 'poison';
    await expect(node.propose(encoder.encode('poison'))).rejects.toMatchObject({ code: 'RAFT_STOPPED' });
    const snapshot = await collector.collect();
    expect(snapshot.value(M.nodeFailures, { 'raft.node.id': 'solo' })).toBe(1);
    const status = node.status();
    expect(snapshot.value(M.term, { 'raft.node.id': 'solo' })).toBe(status.term);
    expect(snapshot.points(M.role).map((point) => point.value)).toEqual([0, 0, 0, 0]);
    expect(cluster.fatalErrors).toHaveLength(1);
  });
});

describe('raftInstrumentation metrics from transport and reserved events', () => {
  it('counts the messages a memory network drops (cut link, drop rate) on the sender, by type, peer and reason', async () => {
    collector = metricCollector();
    const meterProvider = collector.meterProvider;
    cluster = inProcessCluster({
      ids: IDS,
      reportDrops: true,
      observer: (id) => raftInstrumentation({ nodeId: id, meterProvider, sampleRatio: 0 }).observer,
    });
    const leader = await cluster.startWithLeader('a');
    const network = cluster.network;
    const dropped = (reason: string, peer: string) => async () => {
      const snapshot = await collector!.collect();
      if (!snapshot.has(M.messagesDropped)) return 0;
      const points = snapshot.points(M.messagesDropped, {
        'raft.node.id': 'a',
        'raft.peer.id': peer,
        'raft.message.drop_reason': reason,
      });
      return points.reduce((total, point) => total + point.value, 0);
    };
    // A cut-off follower: the leader's heartbeats and AppendEntries to it are lost, as unreachable.
    network.isolate('c');
    await leader.propose(encoder.encode('while c is cut off'));
    await waitFor(async () => (await dropped('unreachable', 'c')()) > 0, { timeoutMs: 5_000 });
    const snapshot = await collector.collect();
    const types = snapshot
      .points(M.messagesDropped, { 'raft.node.id': 'a', 'raft.peer.id': 'c' })
      .map((point) => point.attributes['raft.message.type']);
    expect(types.some((type) => type === 'AppendEntries' || type === 'Heartbeat')).toBe(true);
    // The drop rate: every message is lost, reported as injected.
    network.heal();
    network.setDropRate(1);
    await waitFor(async () => (await dropped('injected', 'b')()) > 0, { timeoutMs: 5_000 });
    network.setDropRate(0);
  });

  it('counts message-dropped events a transport reports, by type, peer and reason', async () => {
    collector = metricCollector();
    const { observer } = raftInstrumentation({ nodeId: 'a', meterProvider: collector.meterProvider });
    for (let i = 0; i < 3; i++)
      observer({ type: 'message-dropped', messageType: 'Heartbeat', to: 'b', reason: 'overflow' });
    observer({ type: 'message-dropped', messageType: 'AppendEntries', to: 'b', reason: 'unreachable' });
    const snapshot = await collector.collect();
    expect(snapshot.metric(M.messagesDropped).descriptor.unit).toBe('{message}');
    const heartbeat = {
      'raft.message.type': 'Heartbeat',
      'raft.peer.id': 'b',
      'raft.message.drop_reason': 'overflow',
    };
    expect(snapshot.value(M.messagesDropped, heartbeat)).toBe(3);
    expect(snapshot.value(M.messagesDropped, { 'raft.message.drop_reason': 'unreachable' })).toBe(1);
  });

  it('counts snapshots a real cluster creates and installs, with their size and duration', async () => {
    collector = metricCollector();
    const meterProvider = collector.meterProvider;
    cluster = inProcessCluster({
      ids: IDS,
      snapshot: { everyEntries: 10, keepEntries: 2 },
      observer: (id) => raftInstrumentation({ nodeId: id, meterProvider, sampleRatio: 0 }).observer,
    });
    const leader = await cluster.startWithLeader('a');
    // c misses enough entries that the leader's log no longer holds them: it must install a snapshot.
    cluster.network.isolate('c');
    for (let i = 0; i < 30; i++) await leader.propose(encoder.encode(`entry-${i}`));
    const snapshots = async (node: string, operation: string) => {
      const snapshot = await collector!.collect();
      if (!snapshot.has(M.snapshots)) return 0;
      const points = snapshot.points(M.snapshots, {
        'raft.node.id': node,
        'raft.snapshot.operation': operation,
      });
      return points[0]?.value ?? 0;
    };
    await waitFor(async () => (await snapshots('a', 'create')) > 0, { timeoutMs: 5_000 });
    cluster.network.heal();
    await waitFor(async () => (await snapshots('c', 'install')) > 0, { timeoutMs: 5_000 });
    const snapshot = await collector.collect();
    expect(cluster.fatalErrors).toEqual([]);
    const installOnC = { 'raft.node.id': 'c', 'raft.snapshot.operation': 'install' };
    expect(snapshot.histogram(M.snapshotSize, installOnC).sum).toBeGreaterThan(0);
    expect(snapshot.histogram(M.snapshotDuration, installOnC).count).toBe(
      snapshot.value(M.snapshots, installOnC),
    );
    expect(
      snapshot.histogram(M.snapshotDuration, { 'raft.node.id': 'a', 'raft.snapshot.operation': 'create' })
        .count,
    ).toBeGreaterThan(0);
  });

  it('turns snapshot events into count, size and duration', async () => {
    collector = metricCollector();
    const { observer } = raftInstrumentation({ nodeId: 'a', meterProvider: collector.meterProvider });
    observer({ type: 'snapshot-created', index: 100, term: 2, bytes: 4096, durationMs: 20 });
    observer({ type: 'snapshot-installed', index: 150, term: 3, bytes: 8192, durationMs: 40 });
    const snapshot = await collector.collect();
    expect(snapshot.value(M.snapshots, { 'raft.snapshot.operation': 'create' })).toBe(1);
    expect(snapshot.histogram(M.snapshotSize, { 'raft.snapshot.operation': 'install' })).toEqual({
      count: 1,
      sum: 8192,
    });
    expect(snapshot.histogram(M.snapshotDuration, { 'raft.snapshot.operation': 'create' }).sum).toBeCloseTo(
      0.02,
    );
    expect(snapshot.metric(M.snapshotSize).descriptor.unit).toBe('By');
  });

  it('counts every pre-vote round and election separately, and a new leader or term as a leader change', async () => {
    collector = metricCollector();
    const { observer } = raftInstrumentation({ nodeId: 'c', meterProvider: collector.meterProvider });
    observer({ type: 'role-changed', role: 'follower', term: 1, leader: 'a' });
    observer({ type: 'role-changed', role: 'pre-candidate', term: 1, leader: '' });
    observer({ type: 'role-changed', role: 'candidate', term: 2, leader: '' });
    observer({ type: 'role-changed', role: 'candidate', term: 3, leader: '' }); // split vote: again
    observer({ type: 'role-changed', role: 'follower', term: 3, leader: 'a' }); // same leader, new term
    const snapshot = await collector.collect();
    expect(snapshot.value(M.electionsStarted, { 'raft.election.type': 'pre-vote' })).toBe(1);
    expect(snapshot.value(M.electionsStarted, { 'raft.election.type': 'vote' })).toBe(2);
    expect(snapshot.value(M.leaderChanges)).toBe(2);
    expect(snapshot.value(M.term)).toBe(3);
  });
});

describe('raftInstrumentation lifecycle and options', () => {
  it('after shutdown the instrumentation ignores events (values freeze where they were)', async () => {
    collector = metricCollector();
    const instrumentation = raftInstrumentation({ nodeId: 'a', meterProvider: collector.meterProvider });
    instrumentation.observer({ type: 'role-changed', role: 'leader', term: 4, leader: 'a' });
    expect((await collector.collect()).value(M.term)).toBe(4);
    instrumentation.shutdown();
    instrumentation.observer({ type: 'role-changed', role: 'follower', term: 5, leader: 'b' });
    instrumentation.observer({ type: 'node-failed', error: new StoppedError('late') });
    const snapshot = await collector.collect();
    expect(snapshot.value(M.term)).toBe(4);
    expect(snapshot.value(M.nodeFailures)).toBe(0);
  });

  it('nodeIdOnMetrics false leaves raft.node.id off every metric point and keeps the user attributes', async () => {
    collector = metricCollector();
    const { observer } = raftInstrumentation({
      nodeId: 'a',
      meterProvider: collector.meterProvider,
      attributes: { 'raft.cluster.id': 'orders' },
      nodeIdOnMetrics: false,
    });
    observer({ type: 'role-changed', role: 'leader', term: 2, leader: 'a' });
    observer({ type: 'persisted', entries: 3, bytes: 30, durationMs: 1 });
    observer({ type: 'messages-sent', messages: [heartbeat] });
    const snapshot = await collector.collect();
    const points = [
      ...snapshot.points(M.term),
      ...snapshot.points(M.messagesSent),
      ...snapshot.points(M.role),
    ].map((point) => point.attributes);
    expect(points.length).toBeGreaterThan(0);
    for (const attributes of points) {
      expect(attributes['raft.node.id']).toBeUndefined();
      expect(attributes['raft.cluster.id']).toBe('orders');
    }
    expect(snapshot.histogram(M.persistEntries, { 'raft.cluster.id': 'orders' })).toEqual({
      count: 1,
      sum: 3,
    });
    expect(snapshot.value(M.term)).toBe(2);
  });

  it('rejects an empty nodeId, a sample ratio outside [0, 1] or a non-positive rate cap with RAFT_OTEL_INVALID_OPTIONS', () => {
    for (const options of [
      { nodeId: '' },
      { nodeId: 'a', sampleRatio: 1.5 },
      { nodeId: 'a', sampleRatio: Number.NaN },
      { nodeId: 'a', proposalDurationSampleRatio: -0.1 },
      { nodeId: 'a', proposalDurationSampleRatio: Number.NaN },
      { nodeId: 'a', proposalDurationMaxPerSecond: 0 },
      { nodeId: 'a', proposalDurationMaxPerSecond: -5 },
      { nodeId: 'a', proposalDurationMaxPerSecond: Number.NaN },
      { nodeId: 'a', proposalTracesMaxPerSecond: 0 },
      { nodeId: 'a', proposalTracesMaxPerSecond: Number.NaN },
    ]) {
      expect(() => raftInstrumentation(options)).toThrow(
        expect.objectContaining({ code: 'RAFT_OTEL_INVALID_OPTIONS' }),
      );
    }
  });
});
