import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

// Under the `browser` condition `ws` resolves to a stub that throws, which socket.io-client's
// Node build swallows (it would hang in `connecting`); jsdom's own WebSocket (undici) never
// fires `open` on Node 20. Point `ws` at its Node build: the copy socket.io's engine.io uses.
const require = createRequire(import.meta.url);
const socketIo = dirname(realpathSync(require.resolve('socket.io/package.json')));
const nodeWs = join(realpathSync(join(socketIo, '..', 'engine.io')), '..', 'ws', 'wrapper.mjs');

export default defineConfig({
  test: {
    projects: [
      {
        // Client: runes and harness components in jsdom. svelteTesting() adds the `browser`
        // condition so Svelte's client runtime is used; esm-env is inlined so that condition
        // reaches it too (its BROWSER flag gates the pool and the wrappers), and the
        // Socket.IO client so the `ws` alias reaches it.
        plugins: [svelte(), svelteTesting()],
        resolve: { alias: { ws: nodeWs } },
        test: {
          name: 'client',
          environment: 'jsdom',
          include: ['src/**/*.test.ts'],
          exclude: ['src/**/*.ssr.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
          server: { deps: { inline: ['esm-env', 'socket.io-client', 'engine.io-client'] } },
          // One shared server whose counters the tests assert on.
          fileParallelism: false,
          // Real sockets on a busy 2-core CI machine: give conditions time to come true.
          expect: { poll: { timeout: 5_000 } },
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
