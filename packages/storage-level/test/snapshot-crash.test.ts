import { fileURLToPath } from 'node:url';
import { StorageImage } from '@raft/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { crc32c } from '../src/crc32c.js';
import { openLevelStorage } from '../src/index.js';
import { buildForChildren } from './build-for-children.js';
import { NodeChild } from './child-process.js';
import { cut, hardStateFor, payload, prng, SNAPSHOT_CONFIG, snapshotBytes } from './crash-workload.mjs';
import { TempDirectories } from './temp-directories.js';

/**
 * Crash test of snapshots with real processes. A child appends and overwrites entries, saves and
 * installs snapshots of up to 48 KiB in up to 12 chunks (each chunk a synced write) and compacts, in
 * random order, printing each operation before it starts and an acknowledgement after it resolved.
 * This test SIGKILLs it at random moments (often between two chunk writes), reopens the directory
 * and checks that the store equals core's StorageImage (the reference semantics) after the
 * acknowledged operations, or after those and the one in flight, never anything in between: the
 * snapshot (metadata and every byte), the compaction point, the log (entries start right after the
 * compaction point) and the hard state.
 *
 * RAFT_SNAPSHOT_CRASH_ITERATIONS (default 100) and RAFT_SNAPSHOT_CRASH_SECONDS (default 30) bound the
 * run; RAFT_CRASH_SEED replays one.
 */
const ITERATIONS = Number(process.env['RAFT_SNAPSHOT_CRASH_ITERATIONS'] ?? 100);
const BUDGET_MS = Number(process.env['RAFT_SNAPSHOT_CRASH_SECONDS'] ?? 30) * 1000;
const SEED = Number(process.env['RAFT_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const MIN_ITERATIONS = Math.min(ITERATIONS, 15);

const directories = new TempDirectories();
const childScript = fileURLToPath(new URL('./snapshot-crash-child.mjs', import.meta.url));
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
let builtModule = '';

beforeAll(() => {
  builtModule = buildForChildren('snapshot-crash');
}, 60_000);
afterAll(() => directories.removeAll());

interface Operation {
  readonly seq: number;
  readonly name: string;
  readonly numbers: readonly number[];
}

/** Applies what the child printed for `operation` to the reference model. */
function apply(model: StorageImage, operation: Operation): void {
  const n = operation.numbers;
  switch (operation.name) {
    case 'persist': {
      const [from, count, term] = n as [number, number, number];
      const entries = Array.from({ length: count }, (_, i) => ({
        index: from + i,
        term,
        type: 'normal' as const,
        data: payload(from + i, term),
      }));
      model.persist({ hardState: hardStateFor(term, from), entries });
      return;
    }
    case 'save':
    case 'install': {
      const [index, term, nonce, size, chunks] = n as [number, number, number, number, number];
      const data = cut(snapshotBytes(index, term, nonce, size), chunks);
      const meta = { index, term, config: SNAPSHOT_CONFIG };
      if (operation.name === 'save') model.saveSnapshot(meta, data);
      else model.installSnapshot(meta, data);
      return;
    }
    case 'compact':
      model.compact(n[0]!);
      return;
    default:
      throw new Error(`unknown operation ${operation.name}`);
  }
}

function parse(lines: readonly string[]): { begun: Operation[]; acknowledged: number } {
  const begun: Operation[] = [];
  let acknowledged = 0;
  for (const line of lines) {
    const [word, seq, ...rest] = line.split(' ');
    if (word === 'begin')
      begun.push({ seq: Number(seq), name: rest[0]!, numbers: rest.slice(1).map(Number) });
    if (word === 'ack') {
      expect(Number(seq), 'acknowledgements arrive in order').toBe(acknowledged);
      acknowledged++;
    }
  }
  return { begun, acknowledged };
}

/** A comparable description of a store's whole content: every field, entry and snapshot byte. */
function describeContent(content: {
  hardState: unknown;
  snapshot: unknown;
  compacted: unknown;
  firstIndex: number;
  lastIndex: number;
  entries: readonly { index: number; term: number; data: Uint8Array }[];
  snapshotData: readonly Uint8Array[] | undefined;
}): string {
  let dataCrc = 0;
  let dataBytes = 0;
  for (const chunk of content.snapshotData ?? []) {
    dataCrc = crc32c(chunk, dataCrc);
    dataBytes += chunk.length;
  }
  const entries = content.entries.map((e) => `${e.index}/${e.term}/${crc32c(e.data).toString(16)}`).join(',');
  return JSON.stringify({
    hardState: content.hardState,
    snapshot: content.snapshot ?? null,
    compacted: content.compacted ?? null,
    bounds: [content.firstIndex, content.lastIndex],
    snapshotData: content.snapshotData === undefined ? null : `${dataBytes} bytes, crc ${dataCrc}`,
    entries,
  });
}

function describeModel(model: StorageImage): string {
  const loaded = model.load();
  return describeContent({
    ...loaded,
    compacted: loaded.compacted,
    firstIndex: model.firstIndex(),
    lastIndex: model.lastIndex(),
    snapshotData: model.snapshot?.chunks,
  });
}

async function describeStore(directory: string): Promise<string> {
  const storage = await openLevelStorage({ directory });
  try {
    const loaded = await storage.load();
    const reader = await storage.readSnapshot();
    let snapshotData: Uint8Array[] | undefined;
    if (reader !== undefined) {
      snapshotData = [];
      for await (const chunk of reader.chunks()) snapshotData.push(chunk.slice());
    }
    // The log starts right after the compaction point (or the snapshot it implies, or index 0).
    const offset = loaded.compacted ?? loaded.snapshot ?? { index: 0 };
    expect(loaded.entries[0]?.index ?? offset.index + 1).toBe(offset.index + 1);
    return describeContent({
      ...loaded,
      compacted: loaded.compacted,
      firstIndex: await storage.firstIndex(),
      lastIndex: await storage.lastIndex(),
      snapshotData,
    });
  } finally {
    await storage.close();
  }
}

it('after SIGKILL during snapshot writes, installs and compactions the store is the old state or the new one', async () => {
  console.log(`snapshot crash test seed ${SEED} (replay with RAFT_CRASH_SEED=${SEED})`);
  const random = prng(SEED);
  const directory = directories.makeMissing('snapshot-crash');
  let model = new StorageImage();
  const landed = new Map<string, number>();
  const killedDuring = new Map<string, number>();
  let iterations = 0;
  const started = Date.now();
  for (; iterations < ITERATIONS && Date.now() - started < BUDGET_MS; iterations++) {
    const child = new NodeChild(
      childScript,
      [builtModule, directory, String(SEED + iterations)],
      packageDirectory,
    );
    try {
      // Half the kills aim at a snapshot save or install (the operations with many writes).
      const target = Math.floor(random() * 12);
      const aimAtSnapshot = random() < 0.5;
      await child.waitForLine((line) => {
        const [word, seq, name] = line.split(' ');
        if (word !== 'begin' || Number(seq) < target) return false;
        return !aimAtSnapshot || name === 'save' || name === 'install';
      });
      // Spread the kill over the operation: a snapshot of several synced chunks takes a few ms.
      const delayMs = random() < 0.3 ? 0 : random() * 6;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    } finally {
      await child.kill();
    }
    const { begun, acknowledged } = parse(child.lines);
    const context = `seed ${SEED}, iteration ${iterations}`;
    expect(begun.length - acknowledged, `${context}: at most one operation in flight`).toBeLessThanOrEqual(1);
    for (const operation of begun.slice(0, acknowledged)) apply(model, operation);
    const inFlight = begun[acknowledged];
    if (inFlight !== undefined) killedDuring.set(inFlight.name, (killedDuring.get(inFlight.name) ?? 0) + 1);
    const found = await describeStore(directory);
    if (found === describeModel(model)) continue;
    expect(
      inFlight,
      `${context}: the store must equal the acknowledged state; it holds ${found}`,
    ).toBeDefined();
    const withInFlight = new StorageImage(model.contents());
    apply(withInFlight, inFlight!);
    expect(found, `${context}: the store holds neither the old state nor the new one`).toBe(
      describeModel(withInFlight),
    );
    model = withInFlight;
    landed.set(inFlight!.name, (landed.get(inFlight!.name) ?? 0) + 1);
  }
  const snapshot = model.snapshot?.meta;
  console.log(
    `snapshot crash test: ${iterations} kills in ${Date.now() - started} ms; snapshot at ${snapshot?.index ?? '-'}, ` +
      `log [${model.firstIndex()}, ${model.lastIndex()}]; killed during ${JSON.stringify(Object.fromEntries(killedDuring))}, ` +
      `of which landed whole ${JSON.stringify(Object.fromEntries(landed))}`,
  );
  expect(iterations).toBeGreaterThanOrEqual(MIN_ITERATIONS);
}, 120_000);
