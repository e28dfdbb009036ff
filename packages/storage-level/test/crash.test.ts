import { fileURLToPath } from 'node:url';
import type { HardState } from '@raft/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openLevelStorage } from '../src/index.js';
import { buildForChildren } from './build-for-children.js';
import { NodeChild } from './child-process.js';
import { hardStateFor, payload, prng } from './crash-workload.mjs';
import { TempDirectories } from './temp-directories.js';

/**
 * Crash test with real processes. A child writes batches in a loop through the built package and
 * prints an acknowledgement after each persist resolves; this test SIGKILLs it at random moments,
 * reopens the directory and checks the store holds exactly the state after the last acknowledged
 * batch, or after the one batch that was in flight (all of it, never part of it). The log must be a
 * gap-free prefix from index 1 (the open-time scan checks that) whose every entry and the hard state
 * match the acknowledged history.
 *
 * SIGKILL ends the process, not the machine: the kernel keeps what was written, so this checks
 * atomicity and acknowledge-after-write, not fsync against power loss (that is `sync: true`'s job).
 *
 * RAFT_CRASH_ITERATIONS (default 200) and RAFT_CRASH_SECONDS (default 45) bound the run, whichever
 * ends first; RAFT_CRASH_SEED replays a run.
 */
const ITERATIONS = Number(process.env['RAFT_CRASH_ITERATIONS'] ?? 200);
const BUDGET_MS = Number(process.env['RAFT_CRASH_SECONDS'] ?? 45) * 1000;
const SEED = Number(process.env['RAFT_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
/** Too few iterations would make the test pass vacuously on a very slow machine. */
const MIN_ITERATIONS = Math.min(ITERATIONS, 20);

const directories = new TempDirectories();
const childScript = fileURLToPath(new URL('./crash-child.mjs', import.meta.url));
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
let builtModule = '';

beforeAll(() => {
  builtModule = buildForChildren('crash');
}, 60_000);
afterAll(() => directories.removeAll());

/** What the store must hold: the hard state and the term of each entry 1..n (payloads follow). */
interface ExpectedState {
  readonly hardState: HardState;
  readonly terms: readonly number[];
}

interface Batch {
  readonly from: number;
  readonly count: number;
  readonly term: number;
}

function apply(state: ExpectedState, batch: Batch): ExpectedState {
  const terms = state.terms.slice(0, batch.from - 1);
  for (let i = 0; i < batch.count; i++) terms.push(batch.term);
  return { hardState: hardStateFor(batch.term, batch.from), terms };
}

/** The batches the child began, in order, and how many of them it acknowledged. */
function parseChildOutput(lines: readonly string[]): { begun: Batch[]; acknowledged: number } {
  const begun: Batch[] = [];
  let acknowledged = 0;
  for (const line of lines) {
    const [word, ...numbers] = line.split(' ');
    const [seq, from, count, term] = numbers.map(Number);
    if (word === 'begin') begun.push({ from: from!, count: count!, term: term! });
    if (word === 'ack') {
      expect(seq, 'acknowledgements arrive in order').toBe(acknowledged);
      acknowledged++;
    }
  }
  return { begun, acknowledged };
}

/** Reads the whole store back and says whether it equals `expected`, byte for byte. */
async function holds(directory: string, expected: ExpectedState): Promise<{ ok: boolean; found: string }> {
  const storage = await openLevelStorage({ directory });
  try {
    const { hardState, entries } = await storage.load();
    const found = `hard state ${JSON.stringify(hardState)}, ${entries.length} entries, terms ${entries
      .map((entry) => entry.term)
      .join(',')}`;
    const sameHardState = JSON.stringify(hardState) === JSON.stringify(expected.hardState);
    const sameLog =
      entries.length === expected.terms.length &&
      entries.every((entry, i) => {
        const expectedData = payload(entry.index, entry.term);
        return (
          entry.index === i + 1 &&
          entry.term === expected.terms[i] &&
          entry.data.length === expectedData.length &&
          entry.data.every((byte, k) => byte === expectedData[k])
        );
      });
    return { ok: sameHardState && sameLog, found };
  } finally {
    await storage.close();
  }
}

it('after SIGKILL at random moments the store holds every acknowledged batch and nothing torn', async () => {
  console.log(`crash test seed ${SEED} (replay with RAFT_CRASH_SEED=${SEED})`);
  const random = prng(SEED);
  const directory = directories.makeMissing('crash');
  let expected: ExpectedState = { hardState: { term: 0, vote: '', commit: 0 }, terms: [] };
  let inFlightLanded = 0;
  let iterations = 0;
  const started = Date.now();
  for (; iterations < ITERATIONS && Date.now() - started < BUDGET_MS; iterations++) {
    const child = new NodeChild(
      childScript,
      [builtModule, directory, String(SEED + iterations)],
      packageDirectory,
    );
    try {
      // Kill while a chosen batch is in flight: right when its `begin` line arrives, or a moment later
      // (a synced LevelDB write takes about a millisecond here). The delay only spreads the kill over
      // the write; correctness never depends on it.
      const target = Math.floor(random() * 10);
      await child.waitForLine((line) => line.startsWith(`begin ${target} `));
      const delayMs = random() < 0.5 ? 0 : random() * 3;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    } finally {
      await child.kill();
    }
    const { begun, acknowledged } = parseChildOutput(child.lines);
    const context = `seed ${SEED}, iteration ${iterations}`;
    expect(begun.length - acknowledged, `${context}: at most one batch in flight`).toBeLessThanOrEqual(1);
    let afterAcknowledged = expected;
    for (const batch of begun.slice(0, acknowledged)) afterAcknowledged = apply(afterAcknowledged, batch);
    const inFlight = begun[acknowledged];
    const afterInFlight = inFlight === undefined ? undefined : apply(afterAcknowledged, inFlight);

    const acknowledgedCheck = await holds(directory, afterAcknowledged);
    if (acknowledgedCheck.ok) {
      expected = afterAcknowledged;
    } else {
      const inFlightCheck = afterInFlight === undefined ? undefined : await holds(directory, afterInFlight);
      expect(
        inFlightCheck?.ok,
        `${context}: the store must hold the state after the last acknowledged batch or after the batch ` +
          `in flight; it holds ${acknowledgedCheck.found}`,
      ).toBe(true);
      expected = afterInFlight!;
      inFlightLanded++;
    }
  }
  console.log(
    `crash test: ${iterations} kills in ${Date.now() - started} ms, log of ${expected.terms.length} entries, ` +
      `${inFlightLanded} in-flight batches landed whole`,
  );
  expect(iterations).toBeGreaterThanOrEqual(MIN_ITERATIONS);
}, 120_000);
