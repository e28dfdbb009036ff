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
}

/** The timer functions every JavaScript runtime we support (Node, browsers, workers) provides. */
interface RuntimeTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  performance?: { now(): number };
  Date: { now(): number };
}

/** The event loop's clock: `performance.now()` (or `Date.now()`) and `setTimeout`. */
export function systemClock(): Clock {
  // Reached through globalThis so the package needs no DOM or Node type definitions.
  const runtime = globalThis as unknown as RuntimeTimers;
  const performance = runtime.performance;
  return {
    now: performance ? () => performance.now() : () => runtime.Date.now(),
    setTimeout(callback, ms) {
      const handle = runtime.setTimeout(callback, ms);
      return { cancel: () => runtime.clearTimeout(handle) };
    },
  };
}
