import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // The process tests start real clusters; run files one at a time so they do not starve each other
    // of the two cores (timing-sensitive: elections, pauses).
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
