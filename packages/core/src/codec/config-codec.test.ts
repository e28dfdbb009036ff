import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configArb } from './codec-arbitraries.test-support.js';
import { decodeConfig, encodeConfig } from './config-codec.js';

describe('config codec', () => {
  it('round-trips every cluster config, keeping the order of each id list', () => {
    fc.assert(
      fc.property(configArb, (config) => {
        expect(decodeConfig(encodeConfig(config))).toStrictEqual(config);
      }),
      { numRuns: 300 },
    );
  });
});
