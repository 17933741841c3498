import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // Client: runes and harness components in jsdom. svelteTesting() adds the `browser`
        // condition so Svelte's client runtime is used; esm-env is inlined so that condition
        // reaches it too (its BROWSER flag gates the pool and the wrappers).
        plugins: [svelte(), svelteTesting()],
        test: {
          name: 'client',
          server: { deps: { inline: ['esm-env'] } },
          environment: 'jsdom',
          include: ['src/**/*.test.ts'],
          exclude: ['src/**/*.ssr.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
          // One shared server whose counters the tests assert on.
          fileParallelism: false,
        },
      },
      {
        // SSR: plain Node conditions, so `svelte` resolves to its server build as in SvelteKit.
        plugins: [svelte()],
        test: {
          name: 'ssr',
          environment: 'node',
          include: ['src/**/*.ssr.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
        },
      },
    ],
  },
});
