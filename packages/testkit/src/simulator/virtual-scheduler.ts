/// <reference types="node" />
import type { Clock, NodeId, Timer } from '@raft/core';

/**
 * Who an event belongs to. A crashed node instance sets `alive` to false, which cancels every timer,
 * disk completion and in-flight message it owned in O(1): dead events are skipped when they come up.
 */
export interface EventOwner {
  readonly name: string;
  alive: boolean;
}

/** One entry of the simulation's single event queue. */
export interface SimEvent {
  readonly time: number;
  /** Tie-breaker: events at the same virtual time run in the order they were scheduled. */
  readonly seq: number;
  readonly owner: EventOwner | undefined;
  /** The node whose state this event changes (invariants are checked on it; a pause defers it). */
  readonly node: NodeId | undefined;
  readonly label: string;
  readonly run: () => void;
  cancelled: boolean;
}

export interface ScheduleOptions {
  readonly owner?: EventOwner | undefined;
  readonly node?: NodeId | undefined;
  readonly label?: string;
}

/**
 * The virtual clock of a whole simulation: one queue of events ordered by (time, sequence number).
 * Timers of every node, message deliveries, disk completions, faults and client operations all go
 * through it, so a run is a pure function of its seed.
 */
export interface VirtualScheduler {
  /** Current virtual time in milliseconds. */
  now(): number;
  /** Runs `run` after `delayMs` of virtual time (0 or more). */
  schedule(delayMs: number, run: () => void, options?: ScheduleOptions): Timer;
  /** A {@link Clock} for one node instance; its timers die with `owner`. */
  clockFor(owner: EventOwner, node: NodeId): Clock;
  /**
   * Defers every event of `node` until `untilMs` (a stopped process: its timers, messages and disk
   * completions wait; nothing is lost).
   */
  pause(node: NodeId, untilMs: number): void;
  isPaused(node: NodeId): boolean;
  /**
   * Runs the next live event, then lets every promise continuation it caused run to completion before
   * returning it. Resolves undefined when the queue is empty.
   */
  step(): Promise<SimEvent | undefined>;
  /** Events waiting, including cancelled ones not yet popped. */
  size(): number;
}

/** Creates an empty {@link VirtualScheduler} at time 0. */
export function createVirtualScheduler(): VirtualScheduler {
  const heap: SimEvent[] = [];
  let now = 0;
  let seq = 0;
  const pausedUntil = new Map<NodeId, number>();

  const push = (event: SimEvent): void => {
    heap.push(event);
    siftUp(heap, heap.length - 1);
  };
  const schedule = (delayMs: number, run: () => void, options: ScheduleOptions = {}): Timer => {
    const event: SimEvent = {
      time: now + Math.max(0, delayMs),
      seq: seq++,
      owner: options.owner,
      node: options.node,
      label: options.label ?? '',
      run,
      cancelled: false,
    };
    push(event);
    return {
      cancel: () => {
        event.cancelled = true;
      },
    };
  };

  return {
    now: () => now,
    schedule,
    clockFor(owner, node) {
      return {
        now: () => now,
        setTimeout: (callback, ms) => {
          if (!owner.alive) return { cancel() {} };
          return schedule(ms, callback, { owner, node, label: 'timer' });
        },
      };
    },
    pause(node, untilMs) {
      pausedUntil.set(node, Math.max(untilMs, pausedUntil.get(node) ?? 0));
    },
    isPaused: (node) => (pausedUntil.get(node) ?? 0) > now,
    async step() {
      for (;;) {
        const event = pop(heap);
        if (event === undefined) return undefined;
        if (event.cancelled || (event.owner !== undefined && !event.owner.alive)) continue;
        now = event.time;
        if (event.node !== undefined) {
          const until = pausedUntil.get(event.node);
          if (until !== undefined && until > now) {
            // Re-queue in pop order: deferred events keep their relative order after the pause.
            push({ ...event, time: until, seq: seq++ });
            continue;
          }
        }
        event.run();
        await drainMicrotasks();
        return event;
      }
    },
    size: () => heap.length,
  };
}

/**
 * Waits until the microtask queue is empty. No real timers or IO exist in a simulation, so nothing but
 * the continuations of the event just run can execute here: the run stays deterministic.
 */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

function siftUp(heap: SimEvent[], start: number): void {
  let child = start;
  const item = heap[child] as SimEvent;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    const parentItem = heap[parent] as SimEvent;
    if (!before(item, parentItem)) break;
    heap[child] = parentItem;
    child = parent;
  }
  heap[child] = item;
}

function pop(heap: SimEvent[]): SimEvent | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let index = 0;
  const length = heap.length;
  for (;;) {
    const left = 2 * index + 1;
    if (left >= length) break;
    const right = left + 1;
    let smallest = left;
    if (right < length && before(heap[right] as SimEvent, heap[left] as SimEvent)) smallest = right;
    const smallestItem = heap[smallest] as SimEvent;
    if (!before(smallestItem, last)) break;
    heap[index] = smallestItem;
    index = smallest;
  }
  heap[index] = last;
  return top;
}
