import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, getJson, type ServiceProcess, spawnService, stopProcess } from '@raft/service';
import { waitFor } from '@raft/testkit/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAFT_KV_BIN } from './support/kv-process.js';

let root: string;
const spawned: ServiceProcess[] = [];

/** Starts raft-kv and remembers it, so a failing test leaves no process behind. */
function spawnKv(args: readonly string[], env: Readonly<Record<string, string>> = {}): ServiceProcess {
  const kv = spawnService(RAFT_KV_BIN, args, env);
  spawned.push(kv);
  return kv;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-kv-cli-'));
});

afterAll(async () => {
  await Promise.all(spawned.map((kv) => stopProcess(kv, 'SIGKILL')));
  await rm(root, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [RAFT_KV_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 20_000,
  });
}

describe('raft-kv command line', () => {
  it('--help lists every flag of the issue with its environment variable; --version prints the version', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const flag of [
      'id',
      'data-dir',
      'client-listen',
      'peer-listen',
      'peers',
      'advertise-client',
      'advertise-peer',
      'cluster-secret',
      'join',
      'snapshot-every',
      'log-level',
      'help',
      'version',
      'config',
    ]) {
      expect(help.stdout).toContain(`--${flag}`);
    }
    expect(help.stdout).toContain('RAFT_KV_DATA_DIR');
    expect(help.stdout).toContain('RAFT_CLUSTER_SECRET');
    const version = run(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^raft-kv \d+\.\d+\.\d+\n$/);
  });

  it('invalid settings exit with status 2 and a message naming the flag', () => {
    const cases: [string[], string][] = [
      [['--bogus'], 'bogus'],
      [['--id', 'a'], '--data-dir'],
      [
        ['--id', 'a', '--data-dir', join(root, 'x'), '--cluster-secret', 's', '--client-listen', 'nope'],
        '--client-listen',
      ],
      [
        ['--id', 'a', '--data-dir', join(root, 'x'), '--cluster-secret', 's', '--snapshot-every', '0'],
        '--snapshot-every',
      ],
      [
        ['--id', 'a', '--data-dir', join(root, 'x'), '--cluster-secret', 's', '--peers', 'a=http://x:1'],
        '--peers',
      ],
      [
        ['--id', 'a', '--data-dir', join(root, 'x'), '--cluster-secret', 's', '--log-level', 'loud'],
        '--log-level',
      ],
      [['--id', 'a', '--data-dir', join(root, 'x')], '--cluster-secret'],
    ];
    for (const [args, mention] of cases) {
      const result = run(args);
      expect({ args, status: result.status }).toEqual({ args, status: 2 });
      expect(result.stderr).toContain(mention);
    }
  });

  it('a new data directory without --peers, or a --peers list without this node, is refused with status 2', () => {
    const noPeers = run([
      '--id',
      'a',
      '--data-dir',
      join(root, 'no-peers'),
      '--cluster-secret',
      's',
      '--client-listen',
      '127.0.0.1:0',
      '--peer-listen',
      '127.0.0.1:0',
    ]);
    expect(noPeers.status).toBe(2);
    expect(noPeers.stdout).toContain('--peers is required');
    const notMember = run([
      '--id',
      'a',
      '--data-dir',
      join(root, 'not-member'),
      '--cluster-secret',
      's',
      '--client-listen',
      '127.0.0.1:0',
      '--peer-listen',
      '127.0.0.1:0',
      '--peers',
      'b=ws://127.0.0.1:1',
    ]);
    expect(notMember.status).toBe(2);
  });

  it('settings come from the config file, then environment variables, then flags; the node listens within 2 s, logs JSON lines, and SIGTERM stops it cleanly (exit 0)', async () => {
    const peerPort = await freePort();
    const configPath = join(root, 'node.json');
    await writeFile(
      configPath,
      JSON.stringify({
        id: 'from-file',
        'data-dir': join(root, 'configured'),
        'peer-listen': `127.0.0.1:${peerPort}`,
        'tick-ms': 20,
        'election-ticks': 5,
        'client-listen': '127.0.0.1:1',
      }),
    );
    const startedAt = performance.now();
    const kv = spawnKv(['--config', configPath, '--client-listen', '127.0.0.1:0'], {
      RAFT_KV_ID: 'from-env',
      RAFT_KV_PEERS: `from-env=ws://127.0.0.1:${peerPort}`,
      RAFT_CLUSTER_SECRET: 'secret-from-env',
    });
    const url = await kv.listening;
    const listeningMs = performance.now() - startedAt;
    console.log(`raft-kv listening ${Math.round(listeningMs)} ms after spawn`);
    expect(listeningMs).toBeLessThan(2_000);
    const view = await getJson(`${url}/cluster`);
    // The environment overrides the file's id; the flag overrides the file's client address.
    expect(view?.['id']).toBe('from-env');
    expect(url).not.toContain(':1/');
    for (const line of kv.logs) {
      expect(typeof line['time']).toBe('string');
      expect(['debug', 'info', 'warn', 'error']).toContain(line.level);
      expect(typeof line.msg).toBe('string');
    }
    // A second process on the same data directory is refused (LevelDB lock), and the first keeps serving.
    const second = run(
      ['--config', configPath, '--client-listen', '127.0.0.1:0', '--peer-listen', '127.0.0.1:0'],
      { RAFT_CLUSTER_SECRET: 's', RAFT_KV_ID: 'from-env' },
    );
    expect(second.status).toBe(1);
    expect(second.stdout).toContain('RAFT_STORAGE_LOCKED');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const exit = await stopProcess(kv, 'SIGTERM');
    expect(exit.code).toBe(0);
    expect(kv.logs.some((line) => line.msg === 'stopped')).toBe(true);
  });

  it('SIGINT during a stream of writes: in-flight requests finish, the node stops with exit 0 and a restart finds every acknowledged write', async () => {
    const peerPort = await freePort();
    const args = [
      '--id',
      'solo',
      '--data-dir',
      join(root, 'solo'),
      '--client-listen',
      '127.0.0.1:0',
      '--peer-listen',
      `127.0.0.1:${peerPort}`,
      '--peers',
      `solo=ws://127.0.0.1:${peerPort}`,
      '--tick-ms',
      '20',
      '--election-ticks',
      '5',
    ];
    const env = { RAFT_CLUSTER_SECRET: 's' };
    const kv = spawnKv(args, env);
    const url = await kv.listening;
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs: 10_000 });
    const acknowledged: number[] = [];
    let sent = 0;
    let interrupted = false;
    const writers = [0, 1, 2, 3].map(async (writer) => {
      for (;;) {
        const i = sent++;
        try {
          const response = await fetch(`${url}/kv/w${i}`, { method: 'PUT', body: String(i) });
          if (response.status === 200) acknowledged.push(i);
          else if (((await response.json()) as { error?: string }).error === 'shutting_down') return;
        } catch {
          return;
        }
        if (!interrupted && acknowledged.length >= 30 + writer) {
          interrupted = true;
          kv.child.kill('SIGINT');
        }
      }
    });
    await Promise.all(writers);
    expect((await kv.exited).code).toBe(0);
    expect(acknowledged.length).toBeGreaterThanOrEqual(30);
    const restarted = spawnKv(args, env);
    const again = await restarted.listening;
    await waitFor(async () => (await fetch(`${again}/readyz`)).status === 200, { timeoutMs: 10_000 });
    for (const i of acknowledged) {
      const response = await fetch(`${again}/kv/w${i}`);
      expect(await response.text()).toBe(String(i));
    }
    expect((await stopProcess(restarted, 'SIGINT')).code).toBe(0);
  });
});
