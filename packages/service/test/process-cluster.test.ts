import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, isAlive, spawnService, stopProcess, waitUntil } from '../src/process-cluster.js';

let root: string;
let fakeService: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-service-process-'));
  // Stands in for a service command: logs `listening` (JSON) unless told to fail, then waits for a signal.
  fakeService = join(root, 'fake-service.mjs');
  await writeFile(
    fakeService,
    [
      "if (process.argv[2] === '--fail') { console.error('bad flag'); process.exit(2); }",
      "process.on('SIGTERM', () => { console.log(JSON.stringify({ msg: 'stopped' })); process.exit(0); });",
      "console.log('not json');",
      "console.log(JSON.stringify({ msg: 'listening', clientUrl: 'http://127.0.0.1:1234' }));",
      'setInterval(() => {}, 1000);',
    ].join('\n'),
  );
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('process harness', () => {
  it('freePort gives a bindable loopback port below the ephemeral range', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(32_768);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('spawnService collects JSON log lines, resolves listening with the client URL, and stops on SIGTERM', async () => {
    const service = spawnService(fakeService, []);
    expect(await service.listening).toBe('http://127.0.0.1:1234');
    expect(service.logs[0]).toEqual({ msg: 'non-json', line: 'not json' });
    expect(isAlive(service)).toBe(true);
    expect(await stopProcess(service)).toEqual({ code: 0, signal: null });
    expect(service.logs.at(-1)).toEqual({ msg: 'stopped' });
    expect(isAlive(service)).toBe(false);
  });

  it('listening rejects when the process exits first, with its stderr', async () => {
    const service = spawnService(fakeService, ['--fail']);
    await expect(service.listening).rejects.toThrow(/exited \(2\) before listening: bad flag/);
  });

  it('stopProcess can stop a paused (SIGSTOP) process', async () => {
    const service = spawnService(fakeService, []);
    await service.listening;
    service.child.kill('SIGSTOP');
    expect((await stopProcess(service)).code).toBe(0);
  });

  it('waitUntil resolves once the condition holds and fails with RAFT_SERVICE_CONDITION_TIMEOUT naming it at the deadline', async () => {
    let checks = 0;
    await waitUntil('three checks', () => ++checks >= 3, { intervalMs: 1 });
    expect(checks).toBe(3);
    await expect(waitUntil('never', () => false, { timeoutMs: 30, intervalMs: 5 })).rejects.toMatchObject({
      code: 'RAFT_SERVICE_CONDITION_TIMEOUT',
      message: expect.stringContaining('never'),
    });
  });
});
