import { defineConfig } from 'vitest/config';

// Native code runs in forked processes: a crash in the addon fails one file, not the runner.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
