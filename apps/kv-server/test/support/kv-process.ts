import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@raft/testkit/conformance';

/** The raft-kv executable under test (runs the built dist in its own process). */
export const RAFT_KV_BIN = fileURLToPath(new URL('../../bin/raft-kv', import.meta.url));

/** A port that was free a moment ago: bound on port 0, read, released. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One JSON log line of a node. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

/** How a process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A raft-kv process and what it printed. */
export interface KvProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly stderr: string[];
  readonly exited: Promise<Exit>;
  /** Resolves with the client URL once the node logged `listening`; rejects if it exits first. */
  readonly listening: Promise<string>;
}

/** Starts `raft-kv` with `args` (and `env` added to this process's environment). */
export function spawnKv(args: readonly string[], env: Readonly<Record<string, string>> = {}): KvProcess {
  const child = spawn(process.execPath, [RAFT_KV_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  let onListening: (url: string) => void = () => {};
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      try {
        const parsed = JSON.parse(line) as LogLine;
        logs.push(parsed);
        if (parsed.msg === 'listening') onListening(String(parsed['clientUrl']));
      } catch {
        logs.push({ msg: 'non-json', line });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const listening = new Promise<string>((resolve, reject) => {
    onListening = resolve;
    void exited.then((exit) =>
      reject(
        new Error(
          `raft-kv exited (${exit.code ?? exit.signal}) before listening: ${stderr.join('')} ${JSON.stringify(logs.slice(-5))}`,
        ),
      ),
    );
  });
  listening.catch(() => {});
  return { child, logs, stderr, exited, listening };
}

/** Sends `signal` and waits for the process to end. */
export async function stopProcess(kv: KvProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
  if (kv.child.exitCode === null && kv.child.signalCode === null) kv.child.kill(signal);
  return kv.exited;
}

/** GET a JSON document; undefined when the node cannot be reached. */
export async function getJson(url: string, timeoutMs = 2_000): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Settings of a test cluster's nodes. */
export interface TestNodeSpec {
  readonly id: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
}

/** A cluster of raft-kv processes on loopback, restartable node by node with the same ports and data. */
export class KvCluster {
  readonly processes = new Map<string, KvProcess>();
  readonly urls = new Map<string, string>();

  private constructor(
    readonly specs: readonly TestNodeSpec[],
    private readonly extraArgs: readonly string[],
  ) {}

  static async create(root: string, size: number, extraArgs: readonly string[] = []): Promise<KvCluster> {
    const specs: TestNodeSpec[] = [];
    for (let i = 1; i <= size; i++) {
      specs.push({
        id: `n${i}`,
        clientPort: await freePort(),
        peerPort: await freePort(),
        dataDir: `${root}/n${i}`,
      });
    }
    return new KvCluster(specs, extraArgs);
  }

  get peersFlag(): string {
    return this.specs.map((spec) => `${spec.id}=ws://127.0.0.1:${spec.peerPort}`).join(',');
  }

  /** Starts (or restarts) a node; resolves once it listens. */
  async start(id: string): Promise<KvProcess> {
    const spec = this.specs.find((candidate) => candidate.id === id)!;
    const kv = spawnKv(
      [
        '--id',
        spec.id,
        '--data-dir',
        spec.dataDir,
        '--client-listen',
        `127.0.0.1:${spec.clientPort}`,
        '--peer-listen',
        `127.0.0.1:${spec.peerPort}`,
        '--peers',
        this.peersFlag,
        ...this.extraArgs,
      ],
      { RAFT_CLUSTER_SECRET: 'test-secret' },
    );
    this.processes.set(id, kv);
    this.urls.set(id, await kv.listening);
    return kv;
  }

  async startAll(): Promise<void> {
    await Promise.all(this.specs.map((spec) => this.start(spec.id)));
  }

  url(id: string): string {
    return this.urls.get(id)!;
  }

  isRunning(id: string): boolean {
    const kv = this.processes.get(id);
    return kv !== undefined && kv.child.exitCode === null && kv.child.signalCode === null;
  }

  /** Waits until every listed running node names the same leader, which is one of them; returns it. */
  async waitForLeader(among = this.specs.map((spec) => spec.id), timeoutMs = 15_000): Promise<string> {
    let leader = '';
    await waitFor(
      async () => {
        const views = await Promise.all(among.map((id) => getJson(`${this.url(id)}/cluster`, 500)));
        const named = new Set(views.map((view) => view?.['leader']));
        if (named.size !== 1) return false;
        const [only] = named;
        if (typeof only !== 'string' || !among.includes(only)) return false;
        leader = only;
        return true;
      },
      { timeoutMs, intervalMs: 50 },
    );
    return leader;
  }

  /** Waits until every listed node has applied the same index as the others and its commit index. */
  async waitForConvergence(among = this.specs.map((spec) => spec.id), timeoutMs = 15_000): Promise<void> {
    await waitFor(
      async () => {
        const views = await Promise.all(among.map((id) => getJson(`${this.url(id)}/cluster`, 500)));
        if (views.some((view) => view === undefined)) return false;
        const applied = new Set(views.map((view) => view!['appliedIndex']));
        return applied.size === 1 && views.every((view) => view!['appliedIndex'] === view!['commitIndex']);
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  /** SIGTERMs every running node and waits for them. */
  async stopAll(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit[]> {
    return Promise.all(
      [...this.processes.values()].map(async (kv) => {
        // A paused node would never handle SIGTERM.
        if (kv.child.exitCode === null && kv.child.signalCode === null) kv.child.kill('SIGCONT');
        return stopProcess(kv, signal);
      }),
    );
  }
}
