import type { NodeId } from '@raft/core';
import type { HistoryRecorder, KvOperation, KvOutput } from '../linearizability/index.js';
import { encodeKvCommand } from './kv-state-machine.js';
import type { Prng } from './prng.js';
import type { SimulatedCluster } from './simulated-cluster.js';
import type { TraceBuffer } from './trace-buffer.js';
import type { VirtualScheduler } from './virtual-scheduler.js';

export interface SimulatedClientsOptions {
  readonly count: number;
  readonly keys: readonly string[];
  readonly scheduler: VirtualScheduler;
  readonly prng: Prng;
  readonly cluster: SimulatedCluster;
  readonly recorder: HistoryRecorder;
  readonly trace: TraceBuffer;
  readonly timeoutMs: number;
  /** Virtual ms a client waits between getting an answer and sending its next operation. */
  readonly thinkMs: readonly [number, number];
}

/** Counts of client operations by fate. */
export interface ClientStats {
  invoked: number;
  ok: number;
  /** Definitely not applied (rejected before reaching the log, or a read that failed). */
  failed: number;
  /** Timed out, or the node crashed under it: may or may not have taken effect. */
  unknown: number;
}

/**
 * Clients that run random KV operations against random live nodes, one at a time each, and record
 * every invocation and answer in a history for the linearizability checker. Writes go through
 * `propose`; most gets through the ReadIndex barrier `read()` and then the local store, some through
 * `propose` too.
 */
export interface SimulatedClients {
  /** Starts every client's loop. */
  start(): void;
  /** Clients send no new operations after this (pending ones still finish). */
  stopIssuing(): void;
  /** Operations sent and not yet answered. */
  pending(): number;
  /** The node crashed: every operation pending on it has an unknown outcome from now on. */
  nodeCrashed(node: NodeId): void;
  /** Ids of writes whose success was acknowledged to a client; each must survive in the log. */
  acknowledgedWrites(): ReadonlyMap<string, KvOperation>;
  stats(): ClientStats;
}

interface PendingOperation {
  readonly historyId: number;
  readonly client: number;
  readonly node: NodeId;
  readonly op: KvOperation;
  readonly isWrite: boolean;
  settled: boolean;
}

const errorCode = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'UNEXPECTED';

/** Creates the clients; nothing runs until {@link SimulatedClients.start}. */
export function createSimulatedClients(options: SimulatedClientsOptions): SimulatedClients {
  const { scheduler, prng, cluster, recorder, trace } = options;
  const stats: ClientStats = { invoked: 0, ok: 0, failed: 0, unknown: 0 };
  const acknowledged = new Map<string, KvOperation>();
  const inFlight = new Set<PendingOperation>();
  const sequence: number[] = [];
  let issuing = true;

  const note = (client: number, text: string): void => trace.record(scheduler.now(), `c${client}`, text);

  const scheduleNext = (client: number, delayMs: number): void => {
    scheduler.schedule(delayMs, () => issue(client), { label: 'client' });
  };
  const think = (): number => prng.between(options.thinkMs[0], options.thinkMs[1]);

  const randomOperation = (client: number): KvOperation => {
    const key = prng.pick(options.keys);
    const value = `${client}.${sequence[client] ?? 0}`;
    const roll = prng.next();
    if (roll < 0.45) return { kind: 'get', key };
    if (roll < 0.75) return { kind: 'put', key, value };
    if (roll < 0.9) {
      // Expect a value some client may really have written, so a fair share of CAS succeed.
      const expected = prng.chance(0.2)
        ? null
        : `${prng.int(options.count)}.${prng.int((sequence[client] ?? 0) + 1)}`;
      return { kind: 'cas', key, expected, value };
    }
    return { kind: 'delete', key };
  };

  const finish = (pending: PendingOperation, how: 'ok' | 'fail' | 'unknown', output?: KvOutput): void => {
    if (pending.settled) return;
    pending.settled = true;
    inFlight.delete(pending);
    if (how === 'ok' && output !== undefined) {
      recorder.complete(pending.historyId, output);
      stats.ok++;
      note(pending.client, `ok #${pending.historyId} ${JSON.stringify(output)}`);
    } else if (how === 'fail') {
      recorder.fail(pending.historyId);
      stats.failed++;
      note(pending.client, `fail #${pending.historyId}`);
    } else {
      recorder.unknown(pending.historyId);
      stats.unknown++;
      note(pending.client, `unknown #${pending.historyId}`);
    }
    if (issuing) scheduleNext(pending.client, think());
  };

  const issue = (client: number): void => {
    if (!issuing) return;
    const live = cluster.liveNodes().filter((node) => cluster.instance(node)?.started === true);
    if (live.length === 0) {
      scheduleNext(client, 100);
      return;
    }
    const node = prng.pick(live);
    const instance = cluster.instance(node);
    if (instance === undefined) return;
    const op = randomOperation(client);
    const seq = sequence[client] ?? 0;
    sequence[client] = seq + 1;
    const commandId = `c${client}/${seq}`;
    const viaRead = op.kind === 'get' && prng.chance(0.8);
    const historyId = recorder.invoke(client, op);
    const pending: PendingOperation = {
      historyId,
      client,
      node,
      op,
      isWrite: op.kind !== 'get',
      settled: false,
    };
    inFlight.add(pending);
    stats.invoked++;
    note(
      client,
      `invoke #${historyId} ${describeKvOperation(op)}${viaRead ? ' (read barrier)' : ''} on ${node}`,
    );
    const timeout = { timeoutMs: options.timeoutMs };
    if (viaRead) {
      instance.raft.read(timeout).then(
        () => {
          // Read the store in the same continuation: nothing else runs between the barrier and the read.
          if (!pending.settled) finish(pending, 'ok', { kind: 'get', value: instance.kv.get(op.key) });
        },
        // A failed read changed nothing, whatever the reason.
        () => finish(pending, 'fail'),
      );
      return;
    }
    instance.raft.propose(encodeKvCommand({ id: commandId, op }), timeout).then(
      (output) => {
        if (pending.isWrite && !pending.settled) acknowledged.set(commandId, op);
        finish(pending, 'ok', output);
      },
      (error: unknown) => {
        const code = errorCode(error);
        // Only these two guarantee the command never reached (or can never commit in) the log.
        const definite = code === 'RAFT_NOT_LEADER' || code === 'RAFT_PROPOSAL_DROPPED';
        finish(pending, definite ? 'fail' : 'unknown');
      },
    );
  };

  return {
    start() {
      for (let client = 0; client < options.count; client++) scheduleNext(client, think());
    },
    stopIssuing() {
      issuing = false;
    },
    pending: () => inFlight.size,
    nodeCrashed(node) {
      for (const pending of [...inFlight]) {
        if (pending.node !== node) continue;
        // A crashed server never answers; a read had no effect, a write may or may not have.
        finish(pending, pending.isWrite ? 'unknown' : 'fail');
      }
    },
    acknowledgedWrites: () => acknowledged,
    stats: () => ({ ...stats }),
  };
}

/** `put k=v`, `cas k: a->b`, ... for traces. */
export function describeKvOperation(op: KvOperation): string {
  switch (op.kind) {
    case 'get':
      return `get ${op.key}`;
    case 'put':
      return `put ${op.key}=${op.value}`;
    case 'delete':
      return `delete ${op.key}`;
    case 'cas':
      return `cas ${op.key}: ${op.expected ?? '(absent)'}->${op.value}`;
    default: {
      const unreachable: never = op;
      return String(unreachable);
    }
  }
}
