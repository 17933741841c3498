import { createRequire } from 'node:module';
import type { BuildOptions } from 'esbuild';

// esbuild-svelte is CommonJS (`module.exports = plugin`); require() reads it the same way under
// Node (bench) and under jiti, which loads .size-limit.ts without default-export interop.
const sveltePlugin = createRequire(import.meta.url)(
  'esbuild-svelte',
) as typeof import('esbuild-svelte').default;

/** The `@wirekit/ui` components with a size budget (issue 8: each ≤ 8 kB min + gzip). */
export const COMPONENTS = ['ChatPanel', 'NotificationBell', 'ConnectionMonitor'] as const;

/**
 * Left out of a component's figure: svelte's runtime and `@wirekit/core` are counted elsewhere.
 * `@wirekit/svelte`, virtua, esm-env and the component's own code and CSS are counted.
 */
export const COMPONENT_EXTERNALS = ['svelte', 'svelte/*', '@wirekit/core', '@wirekit/core/*'];

/**
 * esbuild options that bundle `@wirekit/ui` as an app's production build would: `.svelte` and
 * `.svelte.js` files compiled by the Svelte compiler in production mode (`dev: false`), the
 * `svelte` and `production` export conditions (so esm-env's `DEV` is `false`), ESM output.
 *
 * Component styles are compiled with `css: 'injected'` so they travel in the component's JS
 * and are tree-shaken with it: with esbuild-svelte's default (`css: 'external'`) esbuild keeps
 * the CSS of every `.svelte` file the barrel reaches, even components tree-shaken out of the
 * JS, which a Vite/SvelteKit build does not do. The shared `theme.css` stays a CSS file; it is
 * emitted beside the JS and counted too.
 */
export function svelteBuildOptions(): BuildOptions {
  return {
    format: 'esm',
    platform: 'browser',
    conditions: ['svelte', 'production'],
    plugins: [
      sveltePlugin({
        compilerOptions: { dev: false, css: 'injected' },
        moduleCompilerOptions: { dev: false },
        // Dependencies' compiler warnings (virtua) are not ours to fix here.
        filterWarnings: (warning) => !warning.filename?.includes('node_modules'),
      }),
    ],
  };
}

/** For size-limit's `modifyEsbuildConfig`: its esbuild config plus {@link svelteBuildOptions}. */
export function withSvelte(config: BuildOptions): BuildOptions {
  const svelte = svelteBuildOptions();
  return { ...config, ...svelte, plugins: [...(config.plugins ?? []), ...svelte.plugins!] };
}
