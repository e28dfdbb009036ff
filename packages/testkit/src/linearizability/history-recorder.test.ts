import { describe, expect, it } from 'vitest';
import { checkLinearizability } from './check-linearizability.js';
import { HistoryError, type HistoryErrorCode } from './history-error.js';
import { HistoryRecorder } from './history-recorder.js';

function codeOf(action: () => void): HistoryErrorCode | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof HistoryError) return error.code;
    throw error;
  }
  return undefined;
}

describe('HistoryRecorder', () => {
  it('stamps invocation and completion with the injected clock and issues distinct ids', () => {
    let now = 10;
    const recorder = new HistoryRecorder(() => now);
    const first = recorder.invoke(1, { kind: 'put', key: 'x', value: 'a' });
    now = 12;
    const second = recorder.invoke(2, { kind: 'get', key: 'x' });
    now = 15;
    recorder.complete(first, { kind: 'put' });
    now = 16;
    recorder.complete(second, { kind: 'get', value: 'a' });
    expect(first).not.toBe(second);
    expect(recorder.history()).toEqual([
      {
        id: first,
        client: 1,
        op: { kind: 'put', key: 'x', value: 'a' },
        invokedAt: 10,
        completedAt: 15,
        output: { kind: 'put' },
      },
      {
        id: second,
        client: 2,
        op: { kind: 'get', key: 'x' },
        invokedAt: 12,
        completedAt: 16,
        output: { kind: 'get', value: 'a' },
      },
    ]);
    expect(checkLinearizability(recorder.history()).ok).toBe(true);
  });

  it('keeps unknown outcomes without completion, drops failed operations, and reports pending ones as unknown', () => {
    let now = 0;
    const recorder = new HistoryRecorder(() => now++);
    const timedOut = recorder.invoke(1, { kind: 'put', key: 'x', value: 'a' });
    const rejected = recorder.invoke(2, { kind: 'put', key: 'x', value: 'b' });
    const pending = recorder.invoke(3, { kind: 'delete', key: 'x' });
    recorder.unknown(timedOut);
    recorder.fail(rejected);
    const history = recorder.history();
    expect(history.map((entry) => entry.id)).toEqual([timedOut, pending]);
    expect(history.every((entry) => entry.completedAt === undefined && entry.output === undefined)).toBe(
      true,
    );
  });

  it('a failed write cannot explain a read: it is left out of the history', () => {
    let now = 0;
    const recorder = new HistoryRecorder(() => now++);
    const write = recorder.invoke(1, { kind: 'put', key: 'x', value: 'a' });
    recorder.fail(write);
    const read = recorder.invoke(2, { kind: 'get', key: 'x' });
    recorder.complete(read, { kind: 'get', value: 'a' });
    expect(checkLinearizability(recorder.history()).ok).toBe(false);
  });

  it('rejects misuse with stable codes', () => {
    const recorder = new HistoryRecorder(() => 0);
    const id = recorder.invoke(1, { kind: 'get', key: 'x' });
    expect(codeOf(() => recorder.complete(id, { kind: 'put' }))).toBe('TESTKIT_HISTORY_INVALID');
    expect(codeOf(() => recorder.complete(id + 100, { kind: 'get', value: null }))).toBe(
      'TESTKIT_HISTORY_UNKNOWN_ID',
    );
    recorder.complete(id, { kind: 'get', value: null });
    expect(codeOf(() => recorder.unknown(id))).toBe('TESTKIT_HISTORY_ALREADY_RESOLVED');
    expect(codeOf(() => recorder.fail(id))).toBe('TESTKIT_HISTORY_ALREADY_RESOLVED');
    expect(codeOf(() => recorder.complete(id, { kind: 'get', value: null }))).toBe(
      'TESTKIT_HISTORY_ALREADY_RESOLVED',
    );
  });
});
