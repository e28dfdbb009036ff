import { HistoryError } from './history-error.js';
import type { HistoryOperation } from './history-operation.js';
import type { KvOperation, KvOutput } from './kv-operation.js';

interface RecordedOperation {
  readonly id: number;
  readonly client: number;
  readonly op: KvOperation;
  readonly invokedAt: number;
  state: 'pending' | 'completed' | 'unknown' | 'failed';
  completedAt: number | undefined;
  output: KvOutput | undefined;
}

/**
 * Records a client history for {@link checkLinearizability}: call `invoke` just before sending a request
 * and exactly one of `complete`, `unknown` or `fail` when its fate is known.
 *
 * @example
 * ```ts
 * const recorder = new HistoryRecorder(() => clock.now());
 * const id = recorder.invoke(1, { kind: 'put', key: 'x', value: 'a' });
 * recorder.complete(id, { kind: 'put' });
 * expect(checkLinearizability(recorder.history()).ok).toBe(true);
 * ```
 */
export class HistoryRecorder {
  readonly #now: () => number;
  readonly #operations = new Map<number, RecordedOperation>();
  #nextId = 0;

  /** @param now the clock every client of this history reads; must never go backwards. */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Records that `client` sent `op` now; returns the id to resolve it with. */
  invoke(client: number, op: KvOperation): number {
    const id = this.#nextId++;
    this.#operations.set(id, {
      id,
      client,
      op,
      invokedAt: this.#now(),
      state: 'pending',
      completedAt: undefined,
      output: undefined,
    });
    return id;
  }

  /**
   * Records the store's answer, received now.
   *
   * @throws {HistoryError} `TESTKIT_HISTORY_UNKNOWN_ID`, `TESTKIT_HISTORY_ALREADY_RESOLVED`, or
   * `TESTKIT_HISTORY_INVALID` when the output's kind differs from the operation's.
   */
  complete(id: number, output: KvOutput): void {
    const recorded = this.#pending(id);
    if (output.kind !== recorded.op.kind) {
      throw new HistoryError(
        'TESTKIT_HISTORY_INVALID',
        `operation #${id} is a ${recorded.op.kind} but was answered with a ${output.kind} output`,
      );
    }
    recorded.state = 'completed';
    recorded.completedAt = this.#now();
    recorded.output = output;
  }

  /**
   * Records that the outcome will never be known (timeout, lost connection, crashed server): the operation
   * may or may not take effect, at any time after it was invoked.
   *
   * @throws {HistoryError} `TESTKIT_HISTORY_UNKNOWN_ID` or `TESTKIT_HISTORY_ALREADY_RESOLVED`.
   */
  unknown(id: number): void {
    this.#pending(id).state = 'unknown';
  }

  /**
   * Records that the operation definitely did not take effect (for example rejected by a non-leader before
   * reaching the log); it is left out of the history.
   *
   * @throws {HistoryError} `TESTKIT_HISTORY_UNKNOWN_ID` or `TESTKIT_HISTORY_ALREADY_RESOLVED`.
   */
  fail(id: number): void {
    this.#pending(id).state = 'failed';
  }

  /**
   * The history so far, in invocation order. Operations still pending are reported with an unknown
   * outcome: the client has not heard back, so they may yet take effect.
   */
  history(): HistoryOperation[] {
    const result: HistoryOperation[] = [];
    for (const recorded of this.#operations.values()) {
      if (recorded.state === 'failed') continue;
      const { id, client, op, invokedAt } = recorded;
      const known = recorded.state === 'completed';
      result.push({
        id,
        client,
        op,
        invokedAt,
        completedAt: known ? recorded.completedAt : undefined,
        output: known ? recorded.output : undefined,
      });
    }
    return result;
  }

  #pending(id: number): RecordedOperation {
    const recorded = this.#operations.get(id);
    if (recorded === undefined) {
      throw new HistoryError('TESTKIT_HISTORY_UNKNOWN_ID', `no operation #${id} was invoked`);
    }
    if (recorded.state !== 'pending') {
      throw new HistoryError(
        'TESTKIT_HISTORY_ALREADY_RESOLVED',
        `operation #${id} is already ${recorded.state}`,
      );
    }
    return recorded;
  }
}
