#!/usr/bin/env node
// `pnpm demo`: a local 3-node raft-kv cluster, one OS process per node, data under .demo-data/ at the
// repository root (git-ignored), a cluster secret generated on the first run and reused afterwards.
// Waits for a leader, prints the URLs, the leader and sample curl commands; Ctrl-C stops every node.
//
// Options (for tests): --data-dir DIR (default <repo>/.demo-data), --base-port N (default 7101: client
// ports N..N+2, peer ports N+100..N+102).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../../..');
const bin = resolve(here, '../bin/raft-kv');
const { values } = parseArgs({
  options: { 'data-dir': { type: 'string' }, 'base-port': { type: 'string' } },
  strict: true,
});
const dataDir = resolve(values['data-dir'] ?? join(repoRoot, '.demo-data'));
const basePort = Number(values['base-port'] ?? 7101);
const shown = relative(process.cwd(), dataDir) || '.';

mkdirSync(dataDir, { recursive: true });
const secretFile = join(dataDir, 'cluster-secret');
if (!existsSync(secretFile))
  writeFileSync(secretFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
const secret = readFileSync(secretFile, 'utf8').trim();

const nodes = [1, 2, 3].map((i) => ({
  id: `n${i}`,
  clientUrl: `http://127.0.0.1:${basePort + i - 1}`,
  clientListen: `127.0.0.1:${basePort + i - 1}`,
  peerListen: `127.0.0.1:${basePort + 99 + i}`,
  peerUrl: `ws://127.0.0.1:${basePort + 99 + i}`,
  dir: join(dataDir, `n${i}`),
}));
const peers = nodes.map((node) => `${node.id}=${node.peerUrl}`).join(',');
const restarted = nodes.some((node) => existsSync(join(node.dir, 'cluster.json')));

console.log(
  `raft-kv demo: 3 nodes on 127.0.0.1, data in ${shown}/ (${restarted ? 'reusing the previous run' : 'new cluster'})`,
);
const children = nodes.map((node) => {
  mkdirSync(node.dir, { recursive: true });
  const log = openSync(join(node.dir, 'node.log'), 'a');
  const child = spawn(
    process.execPath,
    [
      bin,
      '--id',
      node.id,
      '--data-dir',
      node.dir,
      '--client-listen',
      node.clientListen,
      '--peer-listen',
      node.peerListen,
      '--peers',
      peers,
    ],
    { stdio: ['ignore', log, log], env: { ...process.env, RAFT_CLUSTER_SECRET: secret } },
  );
  const exited = new Promise((resolvePromise) =>
    child.once('exit', (code, signal) => resolvePromise({ node, code, signal })),
  );
  return { node, child, exited };
});

let stopping = false;
async function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\nstopping the nodes (${signal})...`);
  for (const { child } of children)
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  const exits = await Promise.all(children.map((entry) => entry.exited));
  const clean = exits.every((exit) => exit.code === 0);
  for (const exit of exits) console.log(`  ${exit.node.id} exited with ${exit.code ?? exit.signal}`);
  console.log(
    clean
      ? `stopped; data kept in ${shown}/ (run the demo again to restart the same cluster)`
      : 'a node did not stop cleanly; see its node.log',
  );
  process.exit(clean ? 0 : 1);
}
process.on('SIGINT', () => void stopAll('SIGINT'));
process.on('SIGTERM', () => void stopAll('SIGTERM'));
for (const { node, exited } of children) {
  void exited.then((exit) => {
    if (stopping) return;
    console.error(
      `${node.id} exited unexpectedly (${exit.code ?? exit.signal}); see ${relative(process.cwd(), join(node.dir, 'node.log'))}`,
    );
    void stopAll('SIGTERM');
  });
}

async function cluster(url) {
  try {
    const response = await fetch(`${url}/cluster`, { signal: AbortSignal.timeout(1_000) });
    return await response.json();
  } catch {
    return undefined;
  }
}

const startedAt = Date.now();
let leader;
while (!stopping) {
  const views = await Promise.all(nodes.map((node) => cluster(node.clientUrl)));
  const named = new Set(views.map((view) => view?.leader));
  if (named.size === 1 && views.every((view) => view !== undefined && view.leader !== null)) {
    leader = views[0].leader;
    break;
  }
  if (Date.now() - startedAt > 30_000) {
    console.error('no leader after 30 s; see the node.log files');
    await stopAll('SIGTERM');
  }
  await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
}
if (!stopping) {
  const leaderNode = nodes.find((node) => node.id === leader);
  const follower = nodes.find((node) => node.id !== leader);
  const other = nodes.find((node) => node.id !== leader && node !== follower);
  console.log(`leader elected in ${Date.now() - startedAt} ms\n`);
  for (const node of nodes) {
    console.log(
      `  ${node.id}  ${node.clientUrl}${node.id === leader ? '  (leader)' : ''}   logs: ${relative(process.cwd(), join(node.dir, 'node.log'))}`,
    );
  }
  console.log(`\nleader: ${leader} (${leaderNode.clientUrl})\n\nTry (any node accepts any request):`);
  console.log(`  curl -X PUT --data-binary 'hello, raft' ${follower.clientUrl}/kv/greeting`);
  console.log(`  curl -i ${other.clientUrl}/kv/greeting`);
  console.log(`  curl ${leaderNode.clientUrl}/cluster`);
  console.log('\nready: press Ctrl-C to stop all nodes');
}
