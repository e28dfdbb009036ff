import { describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config-loader.js';
import { resolveServiceConfig, serviceSettings } from '../src/service-settings.js';

const DEFAULTS = { clientListen: '127.0.0.1:7001', peerListen: '127.0.0.1:7002' };
const REQUIRED = ['--id', 'a', '--data-dir', '/tmp/a', '--cluster-secret', 's', '--cluster-id', 'c'];

function resolved(argv: string[]) {
  const settings = loadSettings(serviceSettings(DEFAULTS), { argv, env: {}, envPrefix: 'TEST_' });
  return resolveServiceConfig(settings);
}

describe('service settings: --snapshot-every', () => {
  it("defaults to 100,000 applied entries, etcd's --snapshot-count default", () => {
    expect(resolved(REQUIRED).snapshotEvery).toBe(100_000);
  });

  it('takes a flag value', () => {
    expect(resolved([...REQUIRED, '--snapshot-every', '500']).snapshotEvery).toBe(500);
  });
});
