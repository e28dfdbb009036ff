import { ABSENT, applyOperation, type EncodedKeyHistory } from './encode-key-history.js';
import { SearchStateCache } from './search-state-cache.js';

/** Limits of one search. */
export interface SearchBudget {
  /** Stop after memoising this many (linearized set, state) pairs. */
  readonly maxStates: number;
  /** Stop when `Date.now()` passes this. */
  readonly deadline: number;
}

/** What one key's search concluded. */
export type SearchOutcome =
  | { readonly kind: 'linearizable'; readonly states: number }
  | { readonly kind: 'violation'; readonly states: number }
  | { readonly kind: 'gave-up'; readonly reason: string };

/** How many search steps run between two looks at the clock. */
const CLOCK_CHECK_INTERVAL = 1024;

/**
 * Decides whether one key's history is linearizable with the Wing–Gong search as improved by Lowe
 * ("Testing for linearizability", 2017): walk the time-ordered event list; at a call, try to linearize that
 * operation (apply it to the model, unlink its call and return, restart from the head); at a return, the
 * operation returning has not been linearized, so undo the last choice. Only calls before the first
 * remaining return are ever tried, i.e. operations invoked before the earliest pending completion.
 *
 * Prunes: (1) a (linearized set, state) pair already explored is not explored again; (2) a read-only
 * operation (its answer says it did not change the state) that is legal now is linearized now without
 * trying alternatives, since any order placing it later can move it here unchanged; (3) an
 * unknown-outcome write that would not change the state now is not tried, as leaving it out is the same.
 */
export function searchLinearization(history: EncodedKeyHistory, budget: SearchBudget): SearchOutcome {
  const operationCount = history.operations.length;
  const { eventOperation, eventIsCall, eventReturn, readOnly, unknown } = history;
  const eventCount = eventOperation.length;
  // Doubly linked event list with a head and a tail sentinel, unlinked and relinked in place.
  const head = eventCount;
  const tail = eventCount + 1;
  const next = new Int32Array(eventCount + 2);
  const prev = new Int32Array(eventCount + 2);
  for (let event = 0; event < eventCount; event++) {
    next[event] = event + 1;
    prev[event] = event - 1;
  }
  next[head] = eventCount === 0 ? tail : 0;
  prev[tail] = eventCount === 0 ? head : eventCount - 1;
  if (eventCount > 0) prev[0] = head;
  if (eventCount > 0) next[eventCount - 1] = tail;
  const unlink = (event: number): void => {
    next[prev[event]!] = next[event]!;
    prev[next[event]!] = prev[event]!;
  };
  const relink = (event: number): void => {
    next[prev[event]!] = event;
    prev[next[event]!] = event;
  };

  const zobrist = new Uint32Array(operationCount);
  for (let operation = 0; operation < operationCount; operation++) zobrist[operation] = mix(operation + 1);
  const linearized = new Uint32Array((operationCount + 31) >>> 5);
  const cache = new SearchStateCache(linearized.length);
  const stackEvent = new Int32Array(operationCount);
  const stackState = new Int32Array(operationCount);
  let depth = 0;
  let state = ABSENT;
  let setHash = 0;
  let remaining = history.completedCount;
  let entry = next[head]!;
  let steps = 0;

  for (;;) {
    if (remaining === 0 || entry === tail) return { kind: 'linearizable', states: cache.size };
    if (++steps % CLOCK_CHECK_INTERVAL === 0 && Date.now() > budget.deadline) {
      return { kind: 'gave-up', reason: `time budget exhausted after ${cache.size} states` };
    }
    let mustBacktrack = eventIsCall[entry] === 0;
    if (!mustBacktrack) {
      const operation = eventOperation[entry]!;
      const nextState = applyOperation(history, operation, state);
      if (nextState < 0 || (unknown[operation] === 1 && nextState === state)) {
        entry = next[entry]!;
        continue;
      }
      const word = operation >>> 5;
      const bit = 1 << (operation & 31);
      linearized[word]! |= bit;
      const nextSetHash = setHash ^ zobrist[operation]!;
      if (cache.add(linearized, nextState, (nextSetHash ^ mix(nextState + 0x51ed27)) >>> 0)) {
        if (cache.size > budget.maxStates) {
          return { kind: 'gave-up', reason: `more than ${budget.maxStates} states explored` };
        }
        stackEvent[depth] = entry;
        stackState[depth] = state;
        depth++;
        state = nextState;
        setHash = nextSetHash;
        unlink(entry);
        const returnEvent = eventReturn[entry]!;
        if (returnEvent >= 0) unlink(returnEvent);
        if (unknown[operation] === 0) remaining--;
        entry = next[head]!;
        continue;
      }
      linearized[word]! &= ~bit;
      // Pruning (2) again: the same pair was already explored from here and failed, so this level fails.
      mustBacktrack = readOnly[operation] === 1;
      if (!mustBacktrack) {
        entry = next[entry]!;
        continue;
      }
    }
    // An operation returns here without having been linearized: undo choices until one has alternatives.
    for (;;) {
      if (depth === 0) return { kind: 'violation', states: cache.size };
      depth--;
      const callEvent = stackEvent[depth]!;
      const operation = eventOperation[callEvent]!;
      const returnEvent = eventReturn[callEvent]!;
      if (returnEvent >= 0) relink(returnEvent);
      relink(callEvent);
      linearized[operation >>> 5]! &= ~(1 << (operation & 31));
      setHash ^= zobrist[operation]!;
      state = stackState[depth]!;
      if (unknown[operation] === 0) remaining++;
      if (readOnly[operation] === 0) {
        entry = next[callEvent]!;
        break;
      }
    }
  }
}

/** A 32-bit integer finaliser (from MurmurHash3's fmix32), used for Zobrist keys. */
function mix(value: number): number {
  let hash = value | 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
