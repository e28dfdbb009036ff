// Snapshot crash-test writer: opens the store with the BUILT package, then forever picks a random valid
// operation (append or overwrite entries, save a snapshot, install one, compact), prints
// `begin <seq> <operation> <numbers...>` before it starts and `ack <seq>` once it resolved. Snapshot
// data is derived from (index, term, nonce, size), so the parent can rebuild every byte from the line.
// The parent SIGKILLs it at a random moment, often while snapshot chunks are being written.
//
//   begin <seq> persist <from> <count> <term>
//   begin <seq> save <index> <term> <nonce> <size> <chunks>
//   begin <seq> install <index> <term> <nonce> <size> <chunks>
//   begin <seq> compact <index>
//
// Usage: node snapshot-crash-child.mjs <path to built index.js> <directory> <seed>
import { pathToFileURL } from 'node:url';
import { cut, hardStateFor, payload, prng, SNAPSHOT_CONFIG, snapshotBytes } from './crash-workload.mjs';

const [modulePath, directory, seedText] = process.argv.slice(2);
const { openLevelStorage } = await import(pathToFileURL(modulePath).href);
const seed = Number(seedText);
const random = prng(seed);
const pick = (low, high) => low + Math.floor(random() * (high - low + 1));

const storage = await openLevelStorage({ directory });
const loaded = await storage.load();
let term = Math.max(
  1,
  loaded.hardState.term,
  loaded.snapshot?.term ?? 0,
  ...loaded.entries.map((e) => e.term),
);
console.log(`open ${await storage.lastIndex()}`);

async function writeSnapshot(index, snapshotTerm, finish) {
  const nonce = pick(0, 1_000_000);
  const size = pick(0, 48 * 1024);
  const chunks = pick(1, 12);
  const meta = { index, term: snapshotTerm, config: SNAPSHOT_CONFIG };
  return {
    line: `${index} ${snapshotTerm} ${nonce} ${size} ${chunks}`,
    run: async () => {
      const writer = await storage.beginSnapshot(meta);
      for (const chunk of cut(snapshotBytes(index, snapshotTerm, nonce, size), chunks))
        await writer.write(chunk);
      await writer[finish]();
    },
  };
}

for (let seq = 0; ; seq++) {
  const first = await storage.firstIndex();
  const last = await storage.lastIndex();
  const snapshotIndex = (await storage.readSnapshot())?.meta.index ?? 0;
  const floor = Math.max(first - 1, snapshotIndex);
  const dice = random();
  let operation;
  if (dice < 0.15 && last >= Math.max(first, snapshotIndex)) {
    const index = pick(Math.max(first, snapshotIndex), last);
    operation = { name: 'save', ...(await writeSnapshot(index, await storage.term(index), 'save')) };
  } else if (dice < 0.27) {
    const index = snapshotIndex + pick(1, 30);
    // Half the time a snapshot the log agrees with (its suffix is kept), else one of a newer term.
    const agreeing = index <= last && index >= first && random() < 0.5;
    if (!agreeing) term += 1;
    const snapshotTerm = agreeing ? await storage.term(index) : term;
    operation = { name: 'install', ...(await writeSnapshot(index, snapshotTerm, 'install')) };
  } else if (dice < 0.37 && snapshotIndex > first - 1) {
    const index = pick(first - 1, snapshotIndex);
    operation = { name: 'compact', line: `${index}`, run: () => storage.compact(index) };
  } else {
    let from = last + 1;
    // Sometimes a new leader overwrites an uncommitted suffix (Raft §5.3), never at or below the floor.
    if (last > floor && random() < 0.2) {
      from = pick(floor + 1, last);
      term += 1;
    }
    const count = pick(1, 16);
    const entries = [];
    for (let index = from; index < from + count; index++) {
      entries.push({ index, term, type: 'normal', data: payload(index, term) });
    }
    operation = {
      name: 'persist',
      line: `${from} ${count} ${term}`,
      run: () => storage.persist({ hardState: hardStateFor(term, from), entries }),
    };
  }
  console.log(`begin ${seq} ${operation.name} ${operation.line}`);
  await operation.run();
  console.log(`ack ${seq}`);
}
