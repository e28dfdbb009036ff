import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, getJson, type ServiceProcess, spawnService, stopProcess, waitUntil } from '@raft/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, FAST_TIMING, RAFT_LOCKS_BIN } from './support/lock-cluster.js';

let root: string;
const spawned: ServiceProcess[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-locks-cli-'));
});

afterAll(async () => {
  await Promise.all(spawned.map((started) => stopProcess(started, 'SIGKILL')));
  await rm(root, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [RAFT_LOCKS_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 20_000,
  });
}

/** Starts a one-node raft-locks on free ports, remembered so that a failing test leaves nothing behind. */
async function startOne(name: string, args: string[] = [], env: Record<string, string> = {}) {
  const peerPort = await freePort();
  const started = spawnService(
    RAFT_LOCKS_BIN,
    [
      ...['--id', 'n1', '--data-dir', join(root, name), '--peers', `n1=ws://127.0.0.1:${peerPort}`],
      ...[
        '--peer-listen',
        `127.0.0.1:${peerPort}`,
        '--client-listen',
        '127.0.0.1:0',
        ...FAST_TIMING,
        ...args,
      ],
    ],
    { RAFT_CLUSTER_SECRET: 'cli-secret', ...env },
  );
  spawned.push(started);
  const url = await started.listening;
  await waitUntil('the node is ready', async () => (await getJson(`${url}/readyz`))?.['ready'] === true);
  return { started, url };
}

describe('raft-locks command line', () => {
  it('--help lists the shared flags and the lock flags with their RAFT_LOCKS_ variables and defaults; --version prints the version', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const flag of [
      'id',
      'data-dir',
      'peers',
      'cluster-secret',
      'min-ttl-ms',
      'max-ttl-ms',
      'max-wait-ms',
      'max-lock-name-bytes',
    ]) {
      expect(help.stdout).toContain(`--${flag}`);
    }
    expect(help.stdout).toContain('RAFT_LOCKS_DATA_DIR');
    expect(help.stdout).toContain('RAFT_LOCKS_MIN_TTL_MS');
    expect(help.stdout).toContain('default 127.0.0.1:8090');
    expect(help.stdout).toContain('default 127.0.0.1:7090');
    expect(help.stdout).toContain('default raft-locks');
    const version = run(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^raft-locks \d+\.\d+\.\d+\n$/);
  });

  it('invalid settings exit with status 2 and name the flag', () => {
    const cases: [string[], string][] = [
      [['--id', 'n1'], '--data-dir'],
      [
        [
          '--id',
          'n1',
          '--data-dir',
          'd',
          '--cluster-secret',
          's',
          '--min-ttl-ms',
          '5000',
          '--max-ttl-ms',
          '10',
        ],
        '--max-ttl-ms',
      ],
      [['--id', 'n1', '--data-dir', 'd', '--cluster-secret', 's', '--max-wait-ms', 'soon'], '--max-wait-ms'],
      [['--bogus'], 'bogus'],
    ];
    for (const [args, flag] of cases) {
      const result = run(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(flag);
    }
  });

  it('reads settings from RAFT_LOCKS_ variables; SIGINT answers a waiting acquire with 503 shutting_down and exits 0', async () => {
    const { started, url } = await startOne('env', [], { RAFT_LOCKS_MIN_TTL_MS: '4321' });
    const refused = await call(url, 'POST', '/sessions', { ttlMs: 4_000 });
    expect(refused.json).toMatchObject({ error: 'bad_ttl', min: 4_321 });
    const holder = (await call(url, 'POST', '/sessions', { ttlMs: 10_000 })).json['session'];
    const waiter = (await call(url, 'POST', '/sessions', { ttlMs: 10_000 })).json['session'];
    await call(url, 'POST', '/locks/x/acquire', { session: holder });
    const waiting = call(url, 'POST', '/locks/x/acquire', { session: waiter, waitMs: 30_000 });
    await expect.poll(async () => (await call(url, 'GET', '/locks/x')).json['waiters']).toHaveLength(1);
    started.child.kill('SIGINT');
    const answer = await waiting;
    expect(answer.status).toBe(503);
    expect(answer.json['error']).toBe('shutting_down');
    expect((await started.exited).code).toBe(0);
    expect(started.logs.some((line) => line.msg === 'stopped')).toBe(true);
  });
});
