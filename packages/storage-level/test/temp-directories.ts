import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Fresh directories under the OS temp directory, all removed by `removeAll()`. */
export class TempDirectories {
  private readonly made: string[] = [];

  /** A new, empty directory; `name` ends up in the path, to tell runs apart. */
  make(name = 'store'): string {
    const directory = mkdtempSync(join(tmpdir(), `raft-storage-level-${name}-`));
    this.made.push(directory);
    return directory;
  }

  /** A path inside a new directory that does not exist yet (for the store to create). */
  makeMissing(name = 'store'): string {
    return join(this.make(name), 'db');
  }

  removeAll(): void {
    for (const directory of this.made.splice(0)) rmSync(directory, { recursive: true, force: true });
  }
}
