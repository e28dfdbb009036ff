import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';

/** What a data directory remembers about its cluster, beside the Raft log: who it is and the peers' addresses. */
export interface ClusterFile {
  readonly id: string;
  readonly clusterId: string;
  readonly peers: ReadonlyMap<string, string>;
  /**
   * False for a node that joined a running cluster (`--join`): it must never bootstrap a configuration
   * of its own, even on empty storage. Files written before this field existed are founders'.
   */
  readonly founder: boolean;
  /** While a join is under way: the member URL it goes through, so a restart resumes it. */
  readonly joining?: string | undefined;
}

const FILE_NAME = 'cluster.json';

/** Reads `<dataDir>/cluster.json`, or undefined for a directory that never started a node. */
export async function readClusterFile(dataDir: string): Promise<ClusterFile | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, FILE_NAME), 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as {
      version: number;
      id: string;
      clusterId: string;
      peers: Record<string, string>;
      founder?: boolean;
      joining?: string;
    };
    if (parsed.version !== 1 || typeof parsed.id !== 'string' || typeof parsed.peers !== 'object')
      throw new Error();
    return {
      id: parsed.id,
      clusterId: parsed.clusterId,
      peers: new Map(Object.entries(parsed.peers)),
      founder: parsed.founder !== false,
      joining: typeof parsed.joining === 'string' ? parsed.joining : undefined,
    };
  } catch {
    throw new ConfigError(`${join(dataDir, FILE_NAME)} is not a cluster file of this version`);
  }
}

/** Writes `<dataDir>/cluster.json` atomically (a temporary file renamed over it). */
export async function writeClusterFile(dataDir: string, file: ClusterFile): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, FILE_NAME);
  const body = {
    version: 1,
    id: file.id,
    clusterId: file.clusterId,
    peers: Object.fromEntries(file.peers),
    founder: file.founder,
    ...(file.joining === undefined ? {} : { joining: file.joining }),
  };
  await writeFile(`${path}.tmp`, `${JSON.stringify(body, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}
