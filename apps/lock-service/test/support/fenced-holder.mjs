// A lock holder in its own process, so a test can pause it (SIGSTOP) while it holds the lock.
// Usage: node fenced-holder.mjs <lock-urls,comma-separated> <store-url> <key> <ttl-ms>
// Prints JSON lines: {"granted": token} once it holds the lock; after a line "write" on stdin it writes
// to the fenced store with that token WITHOUT checking its lease first (as a process paused between its
// check and its write would) and prints {"write": status, "body": ..., "leaseLost": bool}, then exits.
import { createInterface } from 'node:readline';
import { createLockClient } from '../../dist/client/index.js';

const [urls, storeUrl, key, ttlMs] = process.argv.slice(2);
const locks = createLockClient({ urls: urls.split(','), attemptTimeoutMs: 1_000 });
const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once('line', resolve));

await locks
  .withLock(
    key,
    async ({ token, signal }) => {
      process.stdout.write(`${JSON.stringify({ granted: token })}\n`);
      await nextLine();
      const response = await fetch(`${storeUrl}/items/${encodeURIComponent(key)}`, {
        method: 'PUT',
        headers: { 'fencing-token': String(token) },
        body: 'from the paused holder',
      });
      const body = await response.json();
      process.stdout.write(
        `${JSON.stringify({ write: response.status, body, leaseLost: signal.aborted })}\n`,
      );
    },
    { ttlMs: Number(ttlMs), waitMs: 10_000 },
  )
  .catch((error) => process.stdout.write(`${JSON.stringify({ failed: error.code ?? String(error) })}\n`));
lines.close();
