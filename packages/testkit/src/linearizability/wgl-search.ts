import {
  ABSENT,
  applyOperation,
  ENABLED_BY_ANY_OTHER,
  ENABLED_BY_NOTHING,
  type EncodedKeyHistory,
  enablingState,
} from './encode-key-history.js';
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
 * Unknown-outcome operations have no return event and sit in a list of their own, tried at each step only
 * after every completed candidate, so that the search meets the states with fewer of them first (see the
 * dominance rule of {@link SearchStateCache}). The search succeeds once every completed operation is
 * linearized; the unknown ones left over are the ones that never took effect.
 *
 * Prunes: (1) a (linearized set, state) pair dominated by one already met is not explored; (2) a read-only
 * operation (its answer says it did not change the state) that is legal now is linearized now without
 * trying alternatives, since any order placing it later can move it here unchanged; (3) an
 * unknown-outcome write that would not change the state now is not tried, as leaving it out is the same;
 * (4) of several interchangeable unknown-outcome writes (same effect, all invoked) only the first is tried;
 * (5) an unknown-outcome write is tried only if its new state enables a candidate that is disabled now.
 * Rule (5) holds because any linearization can be rewritten so that each unknown-outcome write comes just
 * before an operation it enables: one it does not enable either overwrites it (drop the write), ignores it
 * (swap them), or is a no-op unknown write (drop that one), and one at the very end can be dropped.
 */
export function searchLinearization(history: EncodedKeyHistory, budget: SearchBudget): SearchOutcome {
  const operationCount = history.operations.length;
  const { eventOperation, eventIsCall, eventReturn, readOnly, unknown, unknownClass, unknownRank } = history;
  // How many of each class of interchangeable unknown-outcome operations are linearized: always the first
  // ones by invocation, since only the first one left is ever tried.
  const classUsed = new Int32Array(history.unknownClassCount);
  const eventCount = eventOperation.length;
  // Two doubly linked lists over event positions, unlinked and relinked in place (dancing links): the main
  // one holds completed operations' calls and returns, the other unknown-outcome calls. Each has a head
  // and a tail sentinel.
  const head = eventCount;
  const tail = eventCount + 1;
  const unknownHead = eventCount + 2;
  const unknownTail = eventCount + 3;
  const next = new Int32Array(eventCount + 4);
  const prev = new Int32Array(eventCount + 4);
  let lastMain = head;
  let lastUnknown = unknownHead;
  for (let event = 0; event < eventCount; event++) {
    if (unknown[eventOperation[event]!] === 1) {
      next[lastUnknown] = event;
      prev[event] = lastUnknown;
      lastUnknown = event;
    } else {
      next[lastMain] = event;
      prev[event] = lastMain;
      lastMain = event;
    }
  }
  next[lastMain] = tail;
  prev[tail] = lastMain;
  next[lastUnknown] = unknownTail;
  prev[unknownTail] = lastUnknown;
  const unlink = (event: number): void => {
    next[prev[event]!] = next[event]!;
    prev[next[event]!] = prev[event]!;
  };
  const relink = (event: number): void => {
    next[prev[event]!] = event;
    prev[next[event]!] = event;
  };

  const words = (operationCount + 31) >>> 5;
  const completedMask = new Uint32Array(words);
  const zobrist = new Uint32Array(operationCount);
  for (let operation = 0; operation < operationCount; operation++) {
    if (unknown[operation] === 1) continue;
    completedMask[operation >>> 5]! |= 1 << (operation & 31);
    zobrist[operation] = mix(operation + 1);
  }
  const linearized = new Uint32Array(words);
  const cache = new SearchStateCache(completedMask);
  const stackEvent = new Int32Array(operationCount);
  const stackState = new Int32Array(operationCount);
  const stackBound = new Int32Array(operationCount);
  let depth = 0;
  let state = ABSENT;
  let setHash = 0;
  let remaining = history.completedCount;
  // Where the scan is: `entry` in the main list, or, once it reached the first return (`bound`), `entry`
  // in the unknown list.
  let inMainList = true;
  let entry = next[head]!;
  let bound = tail;
  let steps = 0;

  // Pruning (5): the states an unknown-outcome write may move to at this level, those that enable some
  // candidate disabled now. Value ids are marked with the current stamp.
  const wanted = new Int32Array(history.valueCount);
  let wantedStamp = 0;
  let wantedAnyOther = false;
  const enterUnknownPhase = (): void => {
    wantedStamp++;
    wantedAnyOther = false;
    const mark = (event: number): void => {
      const enabling = enablingState(history, eventOperation[event]!, state);
      if (enabling === ENABLED_BY_ANY_OTHER) wantedAnyOther = true;
      else if (enabling !== ENABLED_BY_NOTHING) wanted[enabling] = wantedStamp;
    };
    for (let event = next[head]!; event !== bound; event = next[event]!) mark(event);
    for (let event = next[unknownHead]!; event !== unknownTail && event < bound; event = next[event]!)
      mark(event);
  };

  for (;;) {
    if (remaining === 0) return { kind: 'linearizable', states: cache.size };
    if (++steps % CLOCK_CHECK_INTERVAL === 0 && Date.now() > budget.deadline) {
      return { kind: 'gave-up', reason: `time budget exhausted after ${cache.size} states` };
    }
    let mustBacktrack = false;
    if (inMainList && eventIsCall[entry] === 0) {
      // The first remaining return: unknown-outcome operations invoked before it are candidates too.
      bound = entry;
      inMainList = false;
      entry = next[unknownHead]!;
      enterUnknownPhase();
      continue;
    }
    if (!inMainList && (entry === unknownTail || entry > bound)) mustBacktrack = true;
    else {
      const operation = eventOperation[entry]!;
      if (!inMainList && unknownRank[operation] !== classUsed[unknownClass[operation]!]) {
        entry = next[entry]!;
        continue;
      }
      const nextState = applyOperation(history, operation, state);
      if (
        nextState < 0 ||
        (unknown[operation] === 1 &&
          (nextState === state || (!wantedAnyOther && wanted[nextState] !== wantedStamp)))
      ) {
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
        stackBound[depth] = bound;
        depth++;
        state = nextState;
        setHash = nextSetHash;
        unlink(entry);
        const returnEvent = eventReturn[entry]!;
        if (returnEvent >= 0) unlink(returnEvent);
        if (unknown[operation] === 0) remaining--;
        else classUsed[unknownClass[operation]!]!++;
        inMainList = true;
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
    // No candidate is left at this level: undo choices until one has alternatives.
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
      bound = stackBound[depth]!;
      if (unknown[operation] === 0) remaining++;
      else classUsed[unknownClass[operation]!]!--;
      if (readOnly[operation] === 0) {
        inMainList = unknown[operation] === 0;
        entry = next[callEvent]!;
        if (!inMainList) enterUnknownPhase();
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
