// A 3-node raft-kv cluster of separate processes on loopback, its data in `root`. Ready once every node
// answers GET /readyz with 200 and all name the same leader (polled with a deadline, never slept for).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';
import { startProcess, stopProcess, waitFor } from './processes.mjs';

const RAFT_KV = fileURLToPath(new URL('../../../apps/kv-server/bin/raft-kv', import.meta.url));

async function fetchJson(url, init) {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(1_000) });
    return { status: response.status, body: await response.json().catch(() => undefined) };
  } catch {
    return undefined;
  }
}

/**
 * Starts the cluster. `nodeArgs` are extra arguments of `node` itself for every server (for example
 * `--cpu-prof`); `serverArgs` are extra flags of raft-kv (for example `--snapshot-every`). Resolves with the nodes' client URLs, the leader's URL and `stop()`, which SIGTERMs
 * every node (a graceful exit, so a CPU profile gets written) and waits for them.
 */
export async function startKvCluster(root, { nodeArgs = [], serverArgs = [] } = {}) {
  const specs = [];
  for (const id of ['n1', 'n2', 'n3']) {
    specs.push({ id, clientPort: await freePort(), peerPort: await freePort() });
  }
  const peers = specs.map((spec) => `${spec.id}=ws://127.0.0.1:${spec.peerPort}`).join(',');
  const processes = specs.map((spec) =>
    startProcess(
      process.execPath,
      [
        ...nodeArgs,
        RAFT_KV,
        '--id',
        spec.id,
        '--data-dir',
        join(root, spec.id),
        '--client-listen',
        `127.0.0.1:${spec.clientPort}`,
        '--peer-listen',
        `127.0.0.1:${spec.peerPort}`,
        '--peers',
        peers,
        '--cluster-secret',
        'raft-bench-secret',
        '--log-level',
        'warn',
        ...serverArgs,
      ],
      { cwd: root },
    ),
  );
  const stop = () => Promise.all(processes.map((started) => stopProcess(started)));
  try {
    const urls = new Map(specs.map((spec) => [spec.id, `http://127.0.0.1:${spec.clientPort}`]));
    const leader = await waitFor(
      async () => {
        for (const started of processes) {
          if (started.child.exitCode !== null) {
            throw new Error(
              `raft-kv exited with ${started.child.exitCode}: ${started.output.stderr.slice(-2_000)}`,
            );
          }
        }
        const ready = await Promise.all([...urls.values()].map((url) => fetchJson(`${url}/readyz`)));
        if (ready.some((answer) => answer?.status !== 200)) return undefined;
        const views = await Promise.all([...urls.values()].map((url) => fetchJson(`${url}/cluster`)));
        const leaders = new Set(views.map((view) => view?.body?.leader));
        const [only] = leaders;
        return leaders.size === 1 && urls.has(only) ? only : undefined;
      },
      { timeoutMs: 30_000, what: 'a raft-kv leader that every node names' },
    );
    return { urls, leaderId: leader, leaderUrl: urls.get(leader), processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
