import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs';

export default defineConfig({
  test: {
    projects: [
      {
        // Component logic and markup: jsdom + @testing-library/svelte (`*.test.ts`).
        plugins: [svelte(), svelteTesting()],
        test: {
          name: 'jsdom',
          environment: 'jsdom',
          include: ['src/**/*.test.ts'],
          exclude: ['src/**/*.browser.test.ts', 'src/**/*.ssr.test.ts'],
          setupFiles: ['./test/setup-jsdom.ts'],
          server: { deps: { inline: ['esm-env'] } },
        },
      },
      {
        // SSR: plain Node conditions, so `svelte` resolves to its server build as in SvelteKit.
        plugins: [svelte()],
        test: { name: 'ssr', environment: 'node', include: ['src/**/*.ssr.test.ts'] },
      },
      {
        // Layout, scrolling, virtualization, colour contrast: real Chromium with
        // vitest-browser-svelte (`*.browser.test.ts`).
        plugins: [svelte()],
        test: {
          name: 'browser',
          include: ['src/**/*.browser.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: chromiumLaunchOptions,
            }),
            instances: [{ browser: 'chromium', viewport: { width: 800, height: 700 } }],
          },
        },
      },
    ],
  },
});
