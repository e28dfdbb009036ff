import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FORMAT_VERSION, openLevelStorage } from '../src/index.js';
import { NodeChild } from './child-process.js';
import { withRawLevel } from './raw-level.js';
import { TempDirectories } from './temp-directories.js';

const directories = new TempDirectories();
afterAll(() => directories.removeAll());
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const holdLockChild = fileURLToPath(new URL('./hold-lock-child.mjs', import.meta.url));

describe('opening a directory', () => {
  it('creates a missing directory and starts empty', async () => {
    const directory = directories.makeMissing('create');
    const storage = await openLevelStorage({ directory });
    expect(storage.directory).toBe(directory);
    expect(await storage.lastIndex()).toBe(0);
    await storage.close();
  });

  it("with createIfMissing false, a missing store is refused with classic-level's error", async () => {
    const directory = directories.makeMissing('no-create');
    await expect(openLevelStorage({ directory, createIfMissing: false })).rejects.toMatchObject({
      code: 'LEVEL_DATABASE_NOT_OPEN',
    });
  });

  it('a directory already open in this process is refused with RAFT_STORAGE_LOCKED naming it', async () => {
    const directory = directories.makeMissing('locked-here');
    const first = await openLevelStorage({ directory });
    await expect(openLevelStorage({ directory })).rejects.toMatchObject({
      code: 'RAFT_STORAGE_LOCKED',
      directory,
    });
    await first.close();
    const again = await openLevelStorage({ directory });
    await again.close();
  });

  it('a directory held by another process is refused with RAFT_STORAGE_LOCKED until that process is gone', async () => {
    const directory = directories.makeMissing('locked-elsewhere');
    await (await openLevelStorage({ directory })).close();
    const holder = new NodeChild(holdLockChild, [directory], packageDirectory);
    try {
      await holder.waitForLine((line) => line === 'ready');
      await expect(openLevelStorage({ directory })).rejects.toMatchObject({
        code: 'RAFT_STORAGE_LOCKED',
        directory,
      });
    } finally {
      await holder.kill();
    }
    const storage = await openLevelStorage({ directory });
    await storage.close();
  });

  it('a store of another format version is refused with RAFT_STORAGE_VERSION and left untouched', async () => {
    const directory = directories.makeMissing('version');
    const storage = await openLevelStorage({ directory });
    await storage.persist({ hardState: { term: 1, vote: 'a', commit: 0 }, entries: [] });
    await storage.close();
    const newer = Uint8Array.of(0, 0, 0, FORMAT_VERSION + 1);
    await withRawLevel(directory, (db) => db.put(Uint8Array.of(0x00, 0x01), newer));
    await expect(openLevelStorage({ directory })).rejects.toMatchObject({
      code: 'RAFT_STORAGE_VERSION',
      directory,
      found: FORMAT_VERSION + 1,
      expected: FORMAT_VERSION,
    });
    await withRawLevel(directory, async (db) => {
      expect([...((await db.get(Uint8Array.of(0x00, 0x01))) ?? [])]).toEqual([...newer]);
    });
  });

  it('a LevelDB database that is not a Raft store is refused with RAFT_STORAGE_VERSION, not written into', async () => {
    const directory = directories.makeMissing('foreign');
    await withRawLevel(directory, (db) => db.put(Uint8Array.of(0x61), Uint8Array.of(0x62)));
    await expect(openLevelStorage({ directory })).rejects.toMatchObject({
      code: 'RAFT_STORAGE_VERSION',
      found: undefined,
    });
    await withRawLevel(directory, async (db) => {
      expect(await db.keys().all()).toHaveLength(1);
    });
  });

  it('a refused open releases the directory: the next open is not locked out', async () => {
    const directory = directories.makeMissing('release');
    await withRawLevel(directory, (db) => db.put(Uint8Array.of(0x61), Uint8Array.of(0x62)));
    await expect(openLevelStorage({ directory })).rejects.toMatchObject({ code: 'RAFT_STORAGE_VERSION' });
    await expect(openLevelStorage({ directory })).rejects.toMatchObject({ code: 'RAFT_STORAGE_VERSION' });
  });
});

describe('closing', () => {
  it('calls made before close still complete, and close may be called again', async () => {
    const directory = directories.makeMissing('close');
    const storage = await openLevelStorage({ directory });
    const write = storage.persist({ hardState: { term: 2, vote: 'b', commit: 0 }, entries: [] });
    const closed = storage.close();
    await write;
    await closed;
    await storage.close();
    const reopened = await openLevelStorage({ directory });
    expect((await reopened.load()).hardState).toEqual({ term: 2, vote: 'b', commit: 0 });
    await reopened.close();
  });
});
