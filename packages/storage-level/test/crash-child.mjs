// Crash-test writer: opens the store with the BUILT package, then persists batches forever, printing
// `begin <seq> <from> <count> <term>` before each persist and `ack <seq>` once it resolved. The parent
// SIGKILLs it at a random moment. stdout writes to a pipe are synchronous on Linux, so a `begin` line
// is in the pipe before its persist starts, and an `ack` line before the next batch begins.
//
// Usage: node crash-child.mjs <path to built index.js> <directory> <seed>
import { pathToFileURL } from 'node:url';
import { hardStateFor, payload, prng } from './crash-workload.mjs';

const [modulePath, directory, seedText] = process.argv.slice(2);
const { openLevelStorage } = await import(pathToFileURL(modulePath).href);
const random = prng(Number(seedText));

const storage = await openLevelStorage({ directory });
const { hardState } = await storage.load();
let lastIndex = await storage.lastIndex();
let term = Math.max(1, hardState.term);
console.log(`open ${lastIndex}`);

for (let seq = 0; ; seq++) {
  let from = lastIndex + 1;
  // Sometimes a new leader overwrites an uncommitted suffix (Raft §5.3): a new term, starting inside
  // the log, so the batch both replaces and deletes entries.
  if (lastIndex > 0 && random() < 0.2) {
    from = lastIndex - Math.floor(random() * Math.min(lastIndex, 12));
    term += 1;
  }
  const count = 1 + Math.floor(random() * 16);
  const entries = [];
  for (let index = from; index < from + count; index++) {
    entries.push({ index, term, type: 'normal', data: payload(index, term) });
  }
  console.log(`begin ${seq} ${from} ${count} ${term}`);
  await storage.persist({ hardState: hardStateFor(term, from), entries });
  console.log(`ack ${seq}`);
  lastIndex = from + count - 1;
}
