// A 3-member etcd cluster of separate processes on loopback (Debian's etcd-server, default durability:
// every write fsynced by a majority), its data in `root`. Ready once every member reports healthy and
// all name the same leader.
import { join } from 'node:path';
import { freePort } from './free-port.mjs';
import { startProcess, stopProcess, waitFor } from './processes.mjs';

async function postJson(url, body) {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(1_000),
    });
    return response.ok ? await response.json() : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the cluster; resolves with the members' client URLs, the leader's URL and `stop()`. */
export async function startEtcdCluster(root) {
  const specs = [];
  for (const name of ['e1', 'e2', 'e3']) {
    specs.push({ name, clientPort: await freePort(), peerPort: await freePort() });
  }
  const initialCluster = specs.map((spec) => `${spec.name}=http://127.0.0.1:${spec.peerPort}`).join(',');
  const processes = specs.map((spec) =>
    startProcess(
      'etcd',
      [
        '--name',
        spec.name,
        '--data-dir',
        join(root, spec.name),
        '--listen-client-urls',
        `http://127.0.0.1:${spec.clientPort}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${spec.clientPort}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${spec.peerPort}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${spec.peerPort}`,
        '--initial-cluster',
        initialCluster,
        '--initial-cluster-state',
        'new',
        '--initial-cluster-token',
        'raft-bench',
        '--logger',
        'zap',
        '--log-level',
        'warn',
      ],
      { cwd: root },
    ),
  );
  const stop = () => Promise.all(processes.map((started) => stopProcess(started)));
  try {
    const urls = specs.map((spec) => `http://127.0.0.1:${spec.clientPort}`);
    const leaderUrl = await waitFor(
      async () => {
        for (const started of processes) {
          if (started.child.exitCode !== null) {
            throw new Error(
              `etcd exited with ${started.child.exitCode}: ${started.output.stderr.slice(-2_000)}`,
            );
          }
        }
        const statuses = await Promise.all(urls.map((url) => postJson(`${url}/v3/maintenance/status`, {})));
        if (statuses.some((status) => status === undefined || status.leader === undefined)) return undefined;
        const leaders = new Set(statuses.map((status) => status.leader));
        if (leaders.size !== 1) return undefined;
        const index = statuses.findIndex((status) => status.header.member_id === status.leader);
        return index >= 0 ? urls[index] : undefined;
      },
      { timeoutMs: 30_000, what: 'an etcd leader that every member names' },
    );
    return { urls, leaderUrl, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
