import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type ProcessCluster, processCluster } from '@raft/service';

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

/**
 * `size` raft-kv processes on loopback founded together, data under `root` (`<root>/n1`...), each
 * started with `args` after the shared service flags; restartable node by node with the same ports and data.
 */
export function kvCluster(root: string, size: number, args: readonly string[] = []): Promise<ProcessCluster> {
  return processCluster({ bin: RAFT_KV_BIN, root, size, args });
}
