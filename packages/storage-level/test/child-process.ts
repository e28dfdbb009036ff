import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** A Node child process whose stdout is read line by line. */
export class NodeChild {
  readonly process: ChildProcess;
  /** Every stdout line received so far. */
  readonly lines: string[] = [];
  private stderr = '';
  private readonly waiters: Array<() => void> = [];
  readonly exited: Promise<void>;

  constructor(script: string, args: readonly string[], cwd: string) {
    this.process = spawn(process.execPath, [script, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = once(this.process, 'exit').then(() => {});
    // Settle waiters on exit too, so a child that dies early fails the wait instead of hanging it.
    this.exited.then(() => this.wake());
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.wake();
    });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  /**
   * Resolves with the first line (in arrival order) that satisfies `predicate`; rejects when the child
   * exits without printing one or `deadlineMs` passes.
   */
  async waitForLine(predicate: (line: string) => boolean, deadlineMs = 10_000): Promise<string> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const found = this.lines.find(predicate);
      if (found !== undefined) return found;
      if (this.process.exitCode !== null || this.process.signalCode !== null) {
        throw new Error(`child exited (${this.process.exitCode ?? this.process.signalCode}): ${this.stderr}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching line within ${deadlineMs} ms; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Kills the child with SIGKILL (no chance to flush or close anything) and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    await this.exited;
  }

  get stderrText(): string {
    return this.stderr;
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
