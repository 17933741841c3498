import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    globalSetup: ['./test/redis-setup.ts'],
    testTimeout: 10_000,
    hookTimeout: 15_000,
  },
});
