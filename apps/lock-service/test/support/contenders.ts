import { waitUntil } from '@raft/service';
import { createLockClient } from '../../src/client/index.js';
import { seededRandom } from './seeded-random.js';

/** One grant as the client that got it saw it. Times are `performance.now()` of the test process. */
export interface GrantRecord {
  readonly client: number;
  readonly lock: string;
  readonly session: string;
  readonly token: number;
  readonly queuedAt: number;
  /** When the holder's function started (after the grant arrived). */
  readonly grantedAt: number;
  /** When its function ended, before the session was closed (which released the lock). */
  endedAt: number;
  /** When the client saw its lease lost while holding, if it did. */
  leaseLostAt: number | undefined;
  /** The fenced store's status for the holder's write (200 accepted, 409 stale token). */
  writeStatus: number;
}

/** One linearizable read of a lock: what the service said, in the order the reads were made. */
export interface LockObservation {
  readonly lock: string;
  readonly holder: string | null;
  readonly token: number | null;
}

/** Options of {@link Contenders}. */
export interface ContenderOptions {
  readonly urls: readonly string[];
  readonly locks: readonly string[];
  readonly clients: number;
  readonly seed: number;
  readonly ttlMs: number;
  readonly waitMs: number;
  /** The fenced store each holder writes to (key: the lock name) with its token. */
  readonly storeUrl: string;
}

/**
 * Clients that loop on `withLock` over a few locks against every node, write to a fenced store with their
 * token while holding, and record each grant; plus one reader per lock recording what the service says.
 */
export class Contenders {
  readonly grants: GrantRecord[] = [];
  readonly observations: LockObservation[][] = [];
  readonly failures = new Map<string, number>();
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly options: ContenderOptions) {
    for (let client = 0; client < options.clients; client++) this.loops.push(this.contend(client));
    for (const lock of options.locks) {
      const seen: LockObservation[] = [];
      this.observations.push(seen);
      this.loops.push(this.watch(lock, seen));
    }
  }

  /** Waits until `count` more grants were recorded. */
  async moreGrants(count: number, timeoutMs = 30_000): Promise<void> {
    const target = this.grants.length + count;
    await waitUntil(`${target} grants (have ${this.grants.length})`, () => this.grants.length >= target, {
      timeoutMs,
      intervalMs: 20,
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async contend(client: number): Promise<void> {
    const random = seededRandom(this.options.seed * 1_000 + client);
    const urls = [...this.options.urls].sort(() => random() - 0.5);
    const locks = createLockClient({ urls, attemptTimeoutMs: 1_000, retryForMs: 15_000 });
    while (this.running) {
      const lock = this.options.locks[Math.floor(random() * this.options.locks.length)]!;
      const holdMs = Math.floor(random() * 15);
      try {
        await locks.withLock(
          lock,
          async ({ token, session, queuedAt, signal }) => {
            const record: GrantRecord = {
              client,
              lock,
              session,
              token,
              queuedAt,
              grantedAt: performance.now(),
              endedAt: Number.NaN,
              leaseLostAt: undefined,
              writeStatus: 0,
            };
            signal.addEventListener('abort', () => {
              record.leaseLostAt = performance.now();
            });
            this.grants.push(record);
            const write = await fetch(`${this.options.storeUrl}/items/${lock}`, {
              method: 'PUT',
              headers: { 'fencing-token': String(token) },
              body: `client ${client}`,
            });
            record.writeStatus = write.status;
            // The work done while holding the lock (load, not synchronisation).
            await new Promise((resolve) => setTimeout(resolve, holdMs));
            record.endedAt = performance.now();
          },
          { ttlMs: this.options.ttlMs, waitMs: this.options.waitMs },
        );
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? (error as Error).name);
        this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
      }
    }
  }

  private async watch(lock: string, seen: LockObservation[]): Promise<void> {
    let turn = 0;
    while (this.running) {
      const url = this.options.urls[turn++ % this.options.urls.length]!;
      try {
        const response = await fetch(`${url}/locks/${lock}`, { signal: AbortSignal.timeout(1_000) });
        if (response.status !== 200) continue;
        const body = (await response.json()) as { holder: string | null; token: number | null };
        seen.push({ lock, holder: body.holder, token: body.token });
      } catch {
        // A killed or paused node: read from the next one.
      }
    }
  }
}

/**
 * Checks the rules of a lock service against what the clients and readers recorded; returns the
 * violations (none when the service behaved).
 * - One holder at a time: by token order, a grant starts only after the previous holder ended (unless
 *   that holder saw its lease lost, which is what fencing is for).
 * - Fencing tokens strictly increase in grant order, and every token belongs to one session.
 * - FIFO: by token order, the grants' queue entries (queuedAt) strictly increase.
 * - Every write of a holder whose lease held was accepted by the fenced store.
 * - Reads of the service never go back in time: each reader's tokens never decrease, and a token
 *   names the same holder in reads and grants.
 */
export function checkLockRules(contenders: Contenders): string[] {
  const violations: string[] = [];
  const holderOf = new Map<string, string>();
  const byLock = new Map<string, GrantRecord[]>();
  for (const grant of contenders.grants) {
    const key = `${grant.lock}#${grant.token}`;
    const known = holderOf.get(key);
    if (known !== undefined && known !== grant.session)
      violations.push(`token ${key} granted to two sessions`);
    holderOf.set(key, grant.session);
    byLock.set(grant.lock, [...(byLock.get(grant.lock) ?? []), grant]);
  }
  for (const [lock, grants] of byLock) {
    grants.sort((a, b) => a.token - b.token);
    for (let i = 1; i < grants.length; i++) {
      const before = grants[i - 1]!;
      const after = grants[i]!;
      if (after.token === before.token) violations.push(`${lock}: token ${after.token} granted twice`);
      if (after.queuedAt <= before.queuedAt) {
        violations.push(
          `${lock}: not FIFO: token ${after.token} queued at ${after.queuedAt}, before ${before.queuedAt}`,
        );
      }
      if (before.leaseLostAt === undefined && !(before.endedAt < after.grantedAt)) {
        violations.push(`${lock}: token ${after.token} granted while token ${before.token} was still held`);
      }
    }
  }
  for (const grant of contenders.grants) {
    if (grant.leaseLostAt === undefined && grant.writeStatus !== 200) {
      violations.push(
        `${grant.lock}: the write with token ${grant.token} was refused (${grant.writeStatus})`,
      );
    }
  }
  for (const seen of contenders.observations) {
    let last = 0;
    for (const observation of seen) {
      if (observation.token === null) continue;
      if (observation.token < last)
        violations.push(`${observation.lock}: a read went back from token ${last} to ${observation.token}`);
      last = observation.token;
      const granted = holderOf.get(`${observation.lock}#${observation.token}`);
      if (granted !== undefined && granted !== observation.holder) {
        violations.push(`${observation.lock}: token ${observation.token} read as held by another session`);
      }
    }
  }
  return violations;
}

/** A one-line summary for the test log. */
export function summary(contenders: Contenders): string {
  const lost = contenders.grants.filter((grant) => grant.leaseLostAt !== undefined).length;
  const reads = contenders.observations.reduce((sum, seen) => sum + seen.length, 0);
  const failures = JSON.stringify(Object.fromEntries(contenders.failures));
  return `${contenders.grants.length} grants (${lost} with the lease lost), ${reads} reads, failures ${failures}`;
}
