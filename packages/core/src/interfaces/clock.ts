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

/** The event loop's clock: `performance.now()` and `setTimeout`. */
export function systemClock(): Clock {
  return {
    now: () => performance.now(),
    setTimeout(callback, ms) {
      const handle = setTimeout(callback, ms);
      return { cancel: () => clearTimeout(handle) };
    },
  };
}
