/** A scheduled callback that can be cancelled. */
export interface Timer {
  cancel(): void;
}

/** Time for the driver. The real clock uses the event loop; the simulator's is virtual. */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences matter). */
  now(): number;
  /** Call `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): Timer;
  /**
   * Optional: call `callback` once, soon, after the callbacks the event loop already has due (Node's
   * `setImmediate`). The driver starts a batch this way, so the requests and messages that arrived in
   * one turn of the event loop are stepped before the batch is taken and share its write. Without it a
   * batch starts at once, inside the callback that brought the first request. {@link systemClock}
   * has it; a virtual clock may leave it out to keep every step deterministic.
   */
  defer?(callback: () => void): void;
}

/** The timer functions every JavaScript runtime we support (Node, browsers, workers) provides. */
interface RuntimeTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setImmediate?(callback: () => void): unknown;
  MessageChannel?: new () => MessageChannelLike;
  performance?: { now(): number };
  Date: { now(): number };
}

interface MessageChannelLike {
  readonly port1: { onmessage: (() => void) | null; unref?(): void };
  readonly port2: { postMessage(message: unknown): void };
}

/**
 * The event loop's clock: `performance.now()` (or `Date.now()`), `setTimeout`, and `defer` through
 * `setImmediate` (Node, Bun, Deno) or, in browsers and workers, a `MessageChannel` (a task, like
 * `setImmediate`; a zero `setTimeout` would be clamped to 4 ms once nested).
 */
export function systemClock(): Clock {
  // Reached through globalThis so the package needs no DOM or Node type definitions.
  const runtime = globalThis as unknown as RuntimeTimers;
  const performance = runtime.performance;
  const defer = runtimeDefer(runtime);
  return {
    now: performance ? () => performance.now() : () => runtime.Date.now(),
    setTimeout(callback, ms) {
      const handle = runtime.setTimeout(callback, ms);
      return { cancel: () => runtime.clearTimeout(handle) };
    },
    ...(defer === undefined ? {} : { defer }),
  };
}

/** The runtime's way to run a callback after the callbacks already due, if it has one. */
function runtimeDefer(runtime: RuntimeTimers): ((callback: () => void) => void) | undefined {
  const setImmediate = runtime.setImmediate;
  if (setImmediate !== undefined) return (callback) => void setImmediate(callback);
  const Channel = runtime.MessageChannel;
  if (Channel === undefined) return undefined;
  // One channel for the clock's life; callbacks queued before a message arrives all run on it.
  const channel = new Channel();
  let queue: (() => void)[] = [];
  channel.port1.onmessage = () => {
    const due = queue;
    queue = [];
    for (const callback of due) {
      try {
        callback();
      } catch (error) {
        // Reported as setImmediate would (uncaught), without losing the callbacks queued after it.
        runtime.setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  };
  // Where ports can hold a process open (Node without setImmediate is hypothetical, but cheap to cover).
  channel.port1.unref?.();
  return (callback) => {
    queue.push(callback);
    if (queue.length === 1) channel.port2.postMessage(undefined);
  };
}
