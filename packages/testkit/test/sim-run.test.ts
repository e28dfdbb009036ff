import { describe, expect, it } from 'vitest';
import { formatViolation } from '../src/invariants/index.js';
import {
  ALL_FAULTS,
  formatTraceRecord,
  runSimulation,
  type SimulationReport,
} from '../src/simulator/index.js';

/** The seed, the replay command, the violations and the trace up to the first one. */
function explain(report: SimulationReport): string {
  const firstAt = Math.min(...report.violations.map((violation) => violation.time));
  return [
    `seed ${report.seed} (replay: pnpm sim --seeds 1 --seed ${report.seed} --nodes ${report.nodes})`,
    ...report.violations.map(formatViolation),
    ...report.trace
      .filter((record) => record.time <= firstAt)
      .slice(-80)
      .map(formatTraceRecord),
  ].join('\n');
}

describe('runSimulation', () => {
  it('is deterministic: the same seed gives the identical trace and report', async () => {
    const options = { seed: 1234, nodes: 5, durationMs: 8000, keepTrace: true, traceCapacity: 100_000 };
    const first = await runSimulation(options);
    const second = await runSimulation(options);
    expect(first.trace.length).toBeGreaterThan(500);
    expect(second.trace).toEqual(first.trace);
    expect(second).toEqual(first);
    const other = await runSimulation({ ...options, seed: 1235 });
    expect(other.trace).not.toEqual(first.trace);
  });

  it('a bounded run with every fault has no violation on 30 seeds (3 and 5 nodes)', async () => {
    let elections = 0;
    let checked = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const report = await runSimulation({
        seed,
        nodes: seed % 3 === 0 ? 5 : 3,
        durationMs: 10_000,
        faults: ALL_FAULTS,
      });
      expect(report.ok, explain(report)).toBe(true);
      expect(report.settled, explain(report)).toBe(true);
      elections += report.elections;
      checked += report.operations.checked;
    }
    // The runs did something: leaders were elected and clients got answers.
    expect(elections).toBeGreaterThan(30);
    expect(checked).toBeGreaterThan(300);
  });

  it('measures leader-loss recovery: with only crashes, a new leader follows within 10 election timeouts', async () => {
    const report = await runSimulation({ seed: 7, nodes: 5, faults: ['crash'], durationMs: 30_000 });
    expect(report.ok, explain(report)).toBe(true);
    expect(report.linearizability).toBe('ok');
    expect(report.operations.acknowledgedWrites).toBeGreaterThan(0);
    expect(report.leaderRecoveries.length).toBeGreaterThan(0);
    for (const recovery of report.leaderRecoveries) expect(recovery.withinTenElectionTimeouts).toBe(true);
  });

  it('catches broken storage that acknowledges writes before they are durable (the simulator can fail)', async () => {
    const found: string[] = [];
    for (let seed = 1; seed <= 20 && found.length === 0; seed++) {
      const report = await runSimulation({
        seed,
        nodes: 3,
        faults: ['crash'],
        durationMs: 20_000,
        diskLatencyMs: [50, 300],
        unsafeAckBeforeDurable: true,
        maxEvents: 50_000,
      });
      for (const violation of report.violations) {
        if (violation.invariant !== 'liveness') found.push(`seed ${seed}: ${formatViolation(violation)}`);
      }
    }
    expect(found.length).toBeGreaterThan(0);
  });
});
