import type { HistoryOperation } from './history-operation.js';

/** The key's value as the search sees it: 0 means absent, n > 0 the n-th distinct string of the key. */
export type EncodedValue = number;

/** Value id of "absent"; a key starts absent. */
export const ABSENT: EncodedValue = 0;

/**
 * Value id shared by every value that no answer or cas ever compares against. The model only ever tests
 * the state for equality with compared values, so states holding two such values behave alike; merging
 * them lets the memo merge their states and makes unknown-outcome writes of them interchangeable.
 */
export const UNOBSERVED: EncodedValue = 1;

const GUARD_ANY = 0;
const GUARD_EQUALS = 1;
const GUARD_DIFFERS = 2;

const EFFECT_KEEP = 0;
const EFFECT_SET = 1;
/** Unknown-outcome cas: it may have run, and if it did its effect depends on the state it saw. */
const EFFECT_COMPARE_AND_SET = 2;

/**
 * One key's operations compiled for the WGL search: each operation becomes a guard on the state (what its
 * answer says it saw) and an effect, and the history becomes a time-ordered list of call and return events.
 */
export interface EncodedKeyHistory {
  /** Index in this encoding → the operation it came from. */
  readonly operations: readonly HistoryOperation[];
  /** Operations whose answer is known; each must be linearized. */
  readonly completedCount: number;
  readonly guardKind: Uint8Array;
  readonly guardValue: Int32Array;
  readonly effectKind: Uint8Array;
  readonly effectFirst: Int32Array;
  readonly effectSecond: Int32Array;
  /** 1 when the operation is known not to change the state (get, failed cas, delete of an absent key). */
  readonly readOnly: Uint8Array;
  /** 1 when the outcome is unknown: it may be linearized once or not at all, and has no return event. */
  readonly unknown: Uint8Array;
  /** Events in time order: operation index, and whether it is the call (1) or the return (0). */
  readonly eventOperation: Int32Array;
  readonly eventIsCall: Uint8Array;
  /** For a call event, the index of its return event, or -1 when the outcome is unknown. */
  readonly eventReturn: Int32Array;
  /**
   * Unknown-outcome operations with the same effect are interchangeable once invoked: each gets the id of
   * its class and its rank in the class by invocation, so the search only ever tries the first one left.
   * -1 for completed operations.
   */
  readonly unknownClass: Int32Array;
  readonly unknownRank: Int32Array;
  readonly unknownClassCount: number;
  /** Value ids are below this. */
  readonly valueCount: number;
}

/**
 * Compiles the operations of one key. Unknown-outcome gets are dropped: a read that may not have happened
 * constrains nothing. Events at equal times are ordered calls first, so operations whose intervals only
 * touch count as concurrent (the lenient reading: never a false alarm from a coarse clock).
 */
export function encodeKeyHistory(history: readonly HistoryOperation[]): EncodedKeyHistory {
  const operations = history.filter((entry) => entry.completedAt !== undefined || entry.op.kind !== 'get');
  const count = operations.length;
  const valueIds = new Map<string, number>();
  for (const { op, output } of operations) {
    const compared = op.kind === 'cas' ? op.expected : output?.kind === 'get' ? output.value : null;
    if (compared !== null && !valueIds.has(compared)) valueIds.set(compared, valueIds.size + UNOBSERVED + 1);
  }
  const encode = (value: string | null): EncodedValue =>
    value === null ? ABSENT : (valueIds.get(value) ?? UNOBSERVED);
  const guardKind = new Uint8Array(count);
  const guardValue = new Int32Array(count);
  const effectKind = new Uint8Array(count);
  const effectFirst = new Int32Array(count);
  const effectSecond = new Int32Array(count);
  const readOnly = new Uint8Array(count);
  const unknown = new Uint8Array(count);
  const setGuard = (index: number, kind: number, value: EncodedValue): void => {
    guardKind[index] = kind;
    guardValue[index] = value;
  };
  const setEffect = (index: number, kind: number, first = 0, second = 0): void => {
    effectKind[index] = kind;
    effectFirst[index] = first;
    effectSecond[index] = second;
    readOnly[index] = kind === EFFECT_KEEP ? 1 : 0;
  };
  let completedCount = 0;
  operations.forEach(({ op, output }, index) => {
    if (output === undefined) unknown[index] = 1;
    else completedCount++;
    switch (op.kind) {
      case 'get':
        setGuard(index, GUARD_EQUALS, encode(output?.kind === 'get' ? output.value : null));
        setEffect(index, EFFECT_KEEP);
        break;
      case 'put':
        setGuard(index, GUARD_ANY, ABSENT);
        setEffect(index, EFFECT_SET, encode(op.value));
        break;
      case 'delete':
        if (output?.kind !== 'delete') {
          setGuard(index, GUARD_ANY, ABSENT);
          setEffect(index, EFFECT_SET, ABSENT);
        } else if (output.existed) {
          setGuard(index, GUARD_DIFFERS, ABSENT);
          setEffect(index, EFFECT_SET, ABSENT);
        } else {
          setGuard(index, GUARD_EQUALS, ABSENT);
          setEffect(index, EFFECT_KEEP);
        }
        break;
      case 'cas': {
        const expected = encode(op.expected);
        if (output?.kind !== 'cas') {
          setGuard(index, GUARD_ANY, ABSENT);
          setEffect(index, EFFECT_COMPARE_AND_SET, expected, encode(op.value));
        } else if (output.ok) {
          setGuard(index, GUARD_EQUALS, expected);
          setEffect(index, EFFECT_SET, encode(op.value));
        } else {
          setGuard(index, GUARD_DIFFERS, expected);
          setEffect(index, EFFECT_KEEP);
        }
        break;
      }
      default: {
        const exhaustive: never = op;
        throw new Error(`unknown operation ${JSON.stringify(exhaustive)}`);
      }
    }
  });

  const eventCount = count + completedCount;
  const order: { operation: number; isCall: boolean; time: number }[] = [];
  operations.forEach((entry, operation) => {
    order.push({ operation, isCall: true, time: entry.invokedAt });
    if (entry.completedAt !== undefined) order.push({ operation, isCall: false, time: entry.completedAt });
  });
  order.sort((a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall) || a.operation - b.operation);
  const eventOperation = new Int32Array(eventCount);
  const eventIsCall = new Uint8Array(eventCount);
  const eventReturn = new Int32Array(eventCount).fill(-1);
  const callEventOf = new Int32Array(count);
  const unknownClass = new Int32Array(count).fill(-1);
  const unknownRank = new Int32Array(count).fill(-1);
  const classIds = new Map<string, number>();
  const classSizes: number[] = [];
  order.forEach((event, position) => {
    const operation = event.operation;
    eventOperation[position] = operation;
    eventIsCall[position] = event.isCall ? 1 : 0;
    if (event.isCall) callEventOf[operation] = position;
    else eventReturn[callEventOf[operation]!] = position;
    if (event.isCall && unknown[operation] === 1) {
      const signature = `${effectKind[operation]} ${effectFirst[operation]} ${effectSecond[operation]}`;
      let id = classIds.get(signature);
      if (id === undefined) {
        id = classIds.size;
        classIds.set(signature, id);
        classSizes.push(0);
      }
      unknownClass[operation] = id;
      unknownRank[operation] = classSizes[id]!;
      classSizes[id] = classSizes[id]! + 1;
    }
  });
  return {
    operations,
    completedCount,
    guardKind,
    guardValue,
    effectKind,
    effectFirst,
    effectSecond,
    readOnly,
    unknown,
    eventOperation,
    eventIsCall,
    eventReturn,
    unknownClass,
    unknownRank,
    unknownClassCount: classIds.size,
    valueCount: valueIds.size + UNOBSERVED + 1,
  };
}

/**
 * The sequential specification of one key: the state after `operation` runs in `state`, or -1 when its
 * answer cannot have been given in that state.
 */
export function applyOperation(history: EncodedKeyHistory, operation: number, state: EncodedValue): number {
  const guard = history.guardKind[operation];
  const guardValue = history.guardValue[operation];
  if (guard === GUARD_EQUALS ? state !== guardValue : guard === GUARD_DIFFERS && state === guardValue)
    return -1;
  switch (history.effectKind[operation]) {
    case EFFECT_SET:
      return history.effectFirst[operation]!;
    case EFFECT_COMPARE_AND_SET:
      return state === history.effectFirst[operation] ? history.effectSecond[operation]! : state;
    default:
      return state;
  }
}

/** {@link enablingState}: no other state lets the operation do more than it can now. */
export const ENABLED_BY_NOTHING = -1;
/** {@link enablingState}: any state other than the current one enables the operation. */
export const ENABLED_BY_ANY_OTHER = -2;

/**
 * The state that would let `operation` do what it cannot do in `state`: for a completed operation, give
 * its recorded answer; for an unknown-outcome cas, change the state. Returns the value id, or
 * {@link ENABLED_BY_ANY_OTHER}, or {@link ENABLED_BY_NOTHING} when it is enabled already or nothing
 * enables it usefully (blind unknown-outcome writes are always "enabled").
 */
export function enablingState(history: EncodedKeyHistory, operation: number, state: EncodedValue): number {
  if (history.unknown[operation] === 1) {
    if (history.effectKind[operation] !== EFFECT_COMPARE_AND_SET) return ENABLED_BY_NOTHING;
    const expected = history.effectFirst[operation]!;
    return state === expected || expected === history.effectSecond[operation] ? ENABLED_BY_NOTHING : expected;
  }
  const guardValue = history.guardValue[operation]!;
  switch (history.guardKind[operation]) {
    case GUARD_EQUALS:
      return state === guardValue ? ENABLED_BY_NOTHING : guardValue;
    case GUARD_DIFFERS:
      return state === guardValue ? ENABLED_BY_ANY_OTHER : ENABLED_BY_NOTHING;
    default:
      return ENABLED_BY_NOTHING;
  }
}
