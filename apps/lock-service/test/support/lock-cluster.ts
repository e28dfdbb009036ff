import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProcessCluster, processCluster } from '@raft/service';

/** The raft-locks executable under test (runs the built dist in its own process). */
export const RAFT_LOCKS_BIN = fileURLToPath(new URL('../../bin/raft-locks', import.meta.url));

/** Fast timing for loopback tests: 50 ms ticks, elections after 0.5 to 1 s. */
export const FAST_TIMING = ['--tick-ms', '50', '--election-ticks', '10', '--request-timeout-ms', '3000'];

/** A raft-locks cluster in a fresh temporary directory, and how to tear it all down. */
export async function lockCluster(
  name: string,
  size: number,
  args: readonly string[] = [],
): Promise<{ cluster: ProcessCluster; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), `raft-locks-${name}-`));
  const cluster = await processCluster({ bin: RAFT_LOCKS_BIN, root, size, args: [...FAST_TIMING, ...args] });
  return {
    cluster,
    cleanup: async () => {
      await cluster.stopAll('SIGKILL');
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A started raft-locks cluster with a leader, its client URLs and its teardown. */
export async function runningCluster(name: string, size: number, args: readonly string[] = []) {
  const { cluster, cleanup } = await lockCluster(name, size, args);
  try {
    await cluster.startAll();
    const leader = await cluster.waitForLeader();
    return { cluster, cleanup, leader, urls: cluster.ids.map((id) => cluster.url(id)) };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** One HTTP exchange with a JSON answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

/** Sends `body` as JSON (a string is sent as is) and parses the JSON answer. */
export async function call(base: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { unparsed: text };
  }
  return { status: response.status, headers: response.headers, json };
}
