// Child processes of the benchmark: each one leads its own process group, so stopping it also stops
// whatever it started, and every group still alive is killed when the benchmark exits for any reason.
import { spawn } from 'node:child_process';

const live = new Set();

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of live) killGroup(child, 'SIGKILL');
    process.exit(130);
  });
}

/**
 * Starts `command` in a new process group. Returns the child, a promise of its exit, and the output
 * it kept (the last 64 KiB of stdout and stderr, for error messages and parsing).
 */
export function startProcess(command, args, { env = {}, cwd, onLine } = {}) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  const output = { stdout: '', stderr: '' };
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    output.stdout = (output.stdout + chunk).slice(-65_536);
    if (!onLine) return;
    partial += chunk;
    let newline = partial.indexOf('\n');
    while (newline >= 0) {
      onLine(partial.slice(0, newline));
      partial = partial.slice(newline + 1);
      newline = partial.indexOf('\n');
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    output.stderr = (output.stderr + chunk).slice(-65_536);
  });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      live.delete(child);
      resolve({ code: null, signal: null, error });
    });
  });
  return { child, exited, output };
}

/** Sends `signal` to the process's group and waits for it to exit; SIGKILLs it after `graceMs`. */
export async function stopProcess(started, signal = 'SIGTERM', graceMs = 15_000) {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return started.exited;
  killGroup(started.child, signal);
  const timer = setTimeout(() => killGroup(started.child, 'SIGKILL'), graceMs);
  try {
    return await started.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a command to completion; resolves with its exit and output, rejects on a non-zero status. */
export async function runToEnd(command, args, options = {}) {
  const started = startProcess(command, args, options);
  const exit = await started.exited;
  if (exit.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${exit.error?.message ?? exit.code ?? exit.signal}):\n${started.output.stderr.slice(-4_000)}${started.output.stdout.slice(-2_000)}`,
    );
  }
  return started.output;
}

/** Polls `condition` every `intervalMs` until it returns a truthy value (returned) or `timeoutMs` passes. */
export async function waitFor(condition, { timeoutMs = 30_000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
