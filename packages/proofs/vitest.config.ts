import { defineConfig } from 'vitest/config';

// Real servers in child processes on loopback; files run one at a time so the load test owns
// the (2-core) machine while it runs. Timeouts are generous bounds, not assertions.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
