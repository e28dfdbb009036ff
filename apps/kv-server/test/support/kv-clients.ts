import { createPrng, HistoryRecorder, type KvOperation } from '@raft/testkit';

/** Whether an error means the request never reached a server (so it certainly had no effect). */
function refused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
}

/** Answers that certainly had no effect: the write never entered the log. */
const NOT_APPLIED = new Set(['no_leader', 'dropped']);

/**
 * Performs one operation over HTTP against `base` and records it: invoked just before the request,
 * completed with the answer, failed when it certainly had no effect, unknown otherwise (timeouts, a
 * killed server, 504).
 */
export async function recordOperation(
  recorder: HistoryRecorder,
  client: number,
  base: string,
  op: KvOperation,
  timeoutMs: number,
): Promise<'ok' | 'failed' | 'unknown'> {
  const id = recorder.invoke(client, op);
  const path = `${base}/kv/${encodeURIComponent(op.key)}`;
  try {
    const signal = AbortSignal.timeout(timeoutMs);
    if (op.kind === 'get') {
      const response = await fetch(path, { signal });
      const text = await response.text();
      if (response.status === 200) recorder.complete(id, { kind: 'get', value: text });
      else if (response.status === 404 && JSON.parse(text).error === 'not_found')
        recorder.complete(id, { kind: 'get', value: null });
      else {
        // A read has no effect: one without an answer can be left out of the history.
        recorder.fail(id);
        return 'failed';
      }
      return 'ok';
    }
    const response =
      op.kind === 'put'
        ? await fetch(path, { method: 'PUT', body: op.value, signal })
        : await fetch(path, { method: 'DELETE', signal });
    const body = (await response.json()) as { error?: string };
    if (response.status === 200) {
      recorder.complete(id, op.kind === 'put' ? { kind: 'put' } : { kind: 'delete', existed: true });
      return 'ok';
    }
    if (op.kind === 'delete' && response.status === 404 && body.error === 'not_found') {
      recorder.complete(id, { kind: 'delete', existed: false });
      return 'ok';
    }
    if (response.status === 503 && body.error !== undefined && NOT_APPLIED.has(body.error)) {
      recorder.fail(id);
      return 'failed';
    }
    recorder.unknown(id);
    return 'unknown';
  } catch (error) {
    if (op.kind === 'get' || refused(error)) {
      recorder.fail(id);
      return 'failed';
    }
    recorder.unknown(id);
    return 'unknown';
  }
}

/** Concurrent clients issuing random get/put/delete on a few keys against random nodes until stopped. */
export class ClientSwarm {
  readonly recorder = new HistoryRecorder(() => performance.now());
  readonly counts = { ok: 0, failed: 0, unknown: 0 };
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly options: {
      readonly clients: number;
      readonly keys: readonly string[];
      readonly targets: () => readonly string[];
      readonly seed: number;
      readonly timeoutMs: number;
    },
  ) {
    for (let client = 0; client < options.clients; client++) this.loops.push(this.loop(client));
  }

  private async loop(client: number): Promise<void> {
    // The simulator's seeded generator: a failing run replays from its printed seed.
    const prng = createPrng(this.options.seed * 1_000 + client);
    const random = (): number => prng.next();
    let counter = 0;
    while (this.running) {
      const targets = this.options.targets();
      const base = targets[Math.floor(random() * targets.length)]!;
      const key = this.options.keys[Math.floor(random() * this.options.keys.length)]!;
      const roll = random();
      const op: KvOperation =
        roll < 0.4
          ? { kind: 'get', key }
          : roll < 0.85
            ? { kind: 'put', key, value: `c${client}-${counter++}` }
            : { kind: 'delete', key };
      const outcome = await recordOperation(this.recorder, client, base, op, this.options.timeoutMs);
      this.counts[outcome]++;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}
