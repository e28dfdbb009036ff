import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('../scripts/demo.mjs', import.meta.url));
let root: string | undefined;

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A base port whose three client ports (N..N+2) and three peer ports (N+100..N+102) are all free. */
async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = [0, 1, 2, 100, 101, 102].map((offset) => base + offset);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free base port');
}

/** Runs the demo until it prints "ready", hands its output to `use`, then Ctrl-C (SIGINT) and waits. */
async function runDemo(dataDir: string, basePort: number, use: (output: string) => Promise<void>) {
  const child = spawn(process.execPath, [DEMO, '--data-dir', dataDir, '--base-port', String(basePort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => {
      const check = () => (output.includes('ready: press Ctrl-C') ? resolve(true) : setTimeout(check, 20));
      check();
    }),
    exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000)),
  ]);
  try {
    expect(ready, output).toBe(true);
    await use(output);
  } finally {
    child.kill('SIGINT');
  }
  const code = await exited;
  return { code, output };
}

it('the demo starts 3 nodes, prints URLs, the leader and curl commands, serves them, stops on Ctrl-C, and its data survives a restart', async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-kv-demo-'));
  const dataDir = join(root, 'demo-data');
  const basePort = await freeBasePort();
  const first = await runDemo(dataDir, basePort, async (output) => {
    expect(output).toMatch(/^leader: n[123] /m);
    for (let i = 0; i < 3; i++) expect(output).toContain(`http://127.0.0.1:${basePort + i}`);
    const put = /curl -X PUT --data-binary 'hello, raft' (\S+)/.exec(output)![1]!;
    const get = /curl -i (\S+)/.exec(output)![1]!;
    expect(/curl (http\S+\/cluster)/.test(output)).toBe(true);
    expect((await fetch(put, { method: 'PUT', body: 'hello, raft' })).status).toBe(200);
    const answer = await fetch(get);
    expect(await answer.text()).toBe('hello, raft');
  });
  expect(first.code, first.output).toBe(0);
  expect(first.output).toMatch(/n1 exited with 0/);
  const secret = await readFile(join(dataDir, 'cluster-secret'), 'utf8');
  expect(secret.trim()).toMatch(/^[0-9a-f]{64}$/);

  const second = await runDemo(dataDir, basePort, async (output) => {
    expect(output).toContain('reusing the previous run');
    const answer = await fetch(`http://127.0.0.1:${basePort + 2}/kv/greeting`);
    expect(await answer.text()).toBe('hello, raft');
  });
  expect(second.code, second.output).toBe(0);
  expect(await readFile(join(dataDir, 'cluster-secret'), 'utf8')).toBe(secret);
});
