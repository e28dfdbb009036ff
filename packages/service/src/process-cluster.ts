import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** One JSON log line of a service process. */
export type LogLine = Readonly<Record<string, unknown>> & { readonly msg?: string; readonly level?: string };

/** How a process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A service process started by {@link spawnService}, and what it printed. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Its JSON log lines so far (stdout); a line that is not JSON is kept as `{msg: 'non-json', line}`. */
  readonly logs: LogLine[];
  readonly stderr: string[];
  readonly exited: Promise<ProcessExit>;
  /** The client URL from its `listening` log line; rejects if the process exits first. */
  readonly listening: Promise<string>;
}

/**
 * Starts a service command (`bin`, a Node script such as `raft-kv` or `raft-locks`) in its own process
 * with `args`, and `env` added to this process's environment.
 */
export function spawnService(
  bin: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): ServiceProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  let announce: (url: string) => void = () => {};
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        parsed = { msg: 'non-json', line };
      }
      logs.push(parsed);
      if (parsed.msg === 'listening') announce(String(parsed['clientUrl']));
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const listening = new Promise<string>((resolve, reject) => {
    announce = resolve;
    void exited.then((exit) => {
      const last = JSON.stringify(logs.slice(-5));
      reject(
        new Error(`${bin} exited (${exit.code ?? exit.signal}) before listening: ${stderr.join('')} ${last}`),
      );
    });
  });
  listening.catch(() => {});
  return { child, logs, stderr, exited, listening };
}

/** Whether the process has neither exited nor been killed. */
export function isAlive(service: ServiceProcess): boolean {
  return service.child.exitCode === null && service.child.signalCode === null;
}

/** Sends `signal` (unless the process already ended) and waits for the process to end. */
export async function stopProcess(
  service: ServiceProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<ProcessExit> {
  if (isAlive(service)) {
    // A stopped (SIGSTOP) process would never handle anything but SIGKILL.
    if (signal !== 'SIGKILL') service.child.kill('SIGCONT');
    service.child.kill(signal);
  }
  return service.exited;
}

/** Bound on port 0, a listening socket gets a port from the range outgoing connections also take theirs from. */
const BELOW_EPHEMERAL = { from: 20_000, to: 32_000 } as const;

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : undefined));
    });
  });
}

/**
 * A loopback port that was free a moment ago, chosen at random below the usual ephemeral range (Linux
 * 32768-60999): a port taken from that range can be handed to an outgoing connection (a test's own
 * fetch) before the process that is told to listen on it gets there.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate =
      BELOW_EPHEMERAL.from + Math.floor(Math.random() * (BELOW_EPHEMERAL.to - BELOW_EPHEMERAL.from));
    const port = await tryListen(candidate);
    if (port !== undefined) return port;
  }
  const fallback = await tryListen(0);
  if (fallback === undefined) throw new Error('no free port on 127.0.0.1');
  return fallback;
}

/** GETs a JSON document; undefined when the node cannot be reached or does not answer in time. */
export async function getJson(url: string, timeoutMs = 2_000): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A condition did not hold before its deadline. */
export class ConditionTimeoutError extends Error {
  readonly code = 'RAFT_SERVICE_CONDITION_TIMEOUT';
  override readonly name = 'ConditionTimeoutError';
}

/**
 * Resolves once `condition()` is true, checking every `intervalMs`; rejects with
 * {@link ConditionTimeoutError} naming `what` at the deadline. For tests: wait for a state, never sleep.
 */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  options: { readonly timeoutMs?: number; readonly intervalMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const startedAt = Date.now();
  while (!(await condition())) {
    if (Date.now() - startedAt >= timeoutMs) {
      throw new ConditionTimeoutError(`${what}: still not true after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

/** Addresses and data directory of one member of a {@link ProcessCluster}. */
export interface ProcessNodeSpec {
  readonly id: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
}

/** Options of {@link processCluster}. */
export interface ProcessClusterOptions {
  /** The service command (a Node script taking the shared service flags). */
  readonly bin: string;
  /** Data directories are created below it (`<root>/n1`...). */
  readonly root: string;
  readonly size: number;
  /** Flags added to every node's command line (timing, service settings). */
  readonly args?: readonly string[];
  /** The cluster secret; default `test-secret`. */
  readonly secret?: string;
}

/**
 * Real service processes on loopback, founded together with `--peers`, each restartable with its ports
 * and data. For tests of a service as its users run it: kill, pause, restart.
 */
export interface ProcessCluster {
  readonly specs: readonly ProcessNodeSpec[];
  /** The latest process of each member. */
  readonly processes: ReadonlyMap<string, ServiceProcess>;
  /** Every member id (`n1`, `n2`...). */
  readonly ids: readonly string[];
  /** Starts (or restarts) a member; resolves with its process once it listens. */
  start(id: string): Promise<ServiceProcess>;
  startAll(): Promise<void>;
  /** The client URL a member announced (known once started). */
  url(id: string): string;
  isRunning(id: string): boolean;
  /** Waits until every listed member names the same leader, one of them; resolves with its id. */
  waitForLeader(among?: readonly string[], timeoutMs?: number): Promise<string>;
  /** Waits until every listed member has applied the same index, equal to its commit index. */
  waitForConvergence(among?: readonly string[], timeoutMs?: number): Promise<void>;
  /** Stops every running member with `signal` (default SIGTERM) and waits for them. */
  stopAll(signal?: NodeJS.Signals): Promise<ProcessExit[]>;
}

/** Picks ports for `size` members and returns the (not yet started) cluster. */
export async function processCluster(options: ProcessClusterOptions): Promise<ProcessCluster> {
  const specs: ProcessNodeSpec[] = [];
  for (let i = 1; i <= options.size; i++) {
    specs.push({
      id: `n${i}`,
      clientPort: await freePort(),
      peerPort: await freePort(),
      dataDir: `${options.root}/n${i}`,
    });
  }
  const ids = specs.map((spec) => spec.id);
  const peers = specs.map((spec) => `${spec.id}=ws://127.0.0.1:${spec.peerPort}`).join(',');
  const processes = new Map<string, ServiceProcess>();
  const urls = new Map<string, string>();
  const views = (among: readonly string[]) =>
    Promise.all(among.map((id) => getJson(`${urls.get(id)}/cluster`, 500)));
  const cluster: ProcessCluster = {
    specs,
    processes,
    ids,
    start: async (id) => {
      const spec = specs.find((candidate) => candidate.id === id);
      if (spec === undefined) throw new RangeError(`no member ${id}`);
      const started = spawnService(
        options.bin,
        [
          ...['--id', spec.id, '--data-dir', spec.dataDir, '--peers', peers],
          ...[
            '--client-listen',
            `127.0.0.1:${spec.clientPort}`,
            '--peer-listen',
            `127.0.0.1:${spec.peerPort}`,
          ],
          ...(options.args ?? []),
        ],
        { RAFT_CLUSTER_SECRET: options.secret ?? 'test-secret' },
      );
      processes.set(id, started);
      urls.set(id, await started.listening);
      return started;
    },
    startAll: async () => {
      await Promise.all(ids.map((id) => cluster.start(id)));
    },
    url: (id) => {
      const url = urls.get(id);
      if (url === undefined) throw new RangeError(`member ${id} never listened`);
      return url;
    },
    isRunning: (id) => {
      const started = processes.get(id);
      return started !== undefined && isAlive(started);
    },
    waitForLeader: async (among = ids, timeoutMs = 15_000) => {
      let leader = '';
      await waitUntil(
        `a leader among ${among.join(', ')}`,
        async () => {
          const named = new Set((await views(among)).map((view) => view?.['leader']));
          const [only] = named;
          if (named.size !== 1 || typeof only !== 'string' || !among.includes(only)) return false;
          leader = only;
          return true;
        },
        { timeoutMs },
      );
      return leader;
    },
    waitForConvergence: async (among = ids, timeoutMs = 15_000) => {
      await waitUntil(
        `${among.join(', ')} applied alike`,
        async () => {
          const seen = await views(among);
          if (seen.some((view) => view === undefined)) return false;
          const applied = new Set(seen.map((view) => view!['appliedIndex']));
          return applied.size === 1 && seen.every((view) => view!['appliedIndex'] === view!['commitIndex']);
        },
        { timeoutMs },
      );
    },
    stopAll: (signal = 'SIGTERM') =>
      Promise.all([...processes.values()].map((started) => stopProcess(started, signal))),
  };
  return cluster;
}
