/** One line of a simulation trace. */
export interface TraceRecord {
  /** Virtual milliseconds. */
  readonly time: number;
  /** The node concerned, or '' for the simulation itself (faults, clients' bookkeeping). */
  readonly node: string;
  readonly event: string;
}

/**
 * The last `capacity` trace records of a run (a ring buffer), printed with the seed when a run fails.
 * Keeping only a tail bounds memory on long runs while keeping what led up to the failure.
 */
export interface TraceBuffer {
  record(time: number, node: string, event: string): void;
  /** Records in the order they were made, oldest first. */
  records(): TraceRecord[];
  /** Records dropped because the buffer was full. */
  dropped(): number;
  /** The records as text, one per line: `    1234.567 n2   event`. */
  format(): string[];
}

/** Creates an empty {@link TraceBuffer} holding at most `capacity` records. */
export function createTraceBuffer(capacity: number): TraceBuffer {
  const ring: (TraceRecord | undefined)[] = new Array(Math.max(1, capacity));
  let next = 0;
  let total = 0;
  const records = (): TraceRecord[] => {
    const out: TraceRecord[] = [];
    const count = Math.min(total, ring.length);
    const start = total > ring.length ? next : 0;
    for (let i = 0; i < count; i++) {
      const record = ring[(start + i) % ring.length];
      if (record !== undefined) out.push(record);
    }
    return out;
  };
  return {
    record(time, node, event) {
      ring[next] = { time, node, event };
      next = (next + 1) % ring.length;
      total++;
    },
    records,
    dropped: () => Math.max(0, total - ring.length),
    format: () => records().map(formatTraceRecord),
  };
}

/** One trace record as a fixed-width line. */
export function formatTraceRecord(record: TraceRecord): string {
  return `${record.time.toFixed(3).padStart(12)} ${(record.node || '--').padEnd(4)} ${record.event}`;
}
