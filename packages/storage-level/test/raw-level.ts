import { ClassicLevel } from 'classic-level';
import type { BinaryLevel } from '../src/stored-records.js';

/**
 * Opens a closed store's `directory` with plain classic-level, runs `body` on it and closes it: how the
 * tests read or damage what is on disk below the store's own API, as a disk or a stray tool would.
 */
export async function withRawLevel<T>(directory: string, body: (db: BinaryLevel) => Promise<T>): Promise<T> {
  const db: BinaryLevel = new ClassicLevel(directory, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  try {
    return await body(db);
  } finally {
    await db.close();
  }
}
