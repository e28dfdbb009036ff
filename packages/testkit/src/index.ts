/**
 * @raft/testkit: a deterministic Raft cluster simulator with fault injection, the Raft safety invariants,
 * and a linearizability checker for key-value histories. The conformance suites for Storage and
 * Transport live under the `@raft/testkit/conformance` entry point (they need vitest).
 *
 * @example
 * ```ts
 * import { runSimulation } from '@raft/testkit';
 *
 * const report = await runSimulation({ seed: 42, nodes: 5 });
 * if (report.violations.length > 0) throw new Error(`seed 42 broke ${report.violations[0].invariant}`);
 * ```
 */
export * from './invariants/index.js';
export * from './linearizability/index.js';
export * from './simulator/index.js';
