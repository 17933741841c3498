import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { COMPONENT_EXTERNALS, COMPONENTS, svelteBuildOptions } from './svelte-bundle.js';
import type { Row } from './table.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What an app imports, per measured bundle (the same esbuild settings for all). */
export const BUNDLES: Record<string, string> = {
  '@wirekit/core + websocket()': `export { Connection, websocket } from '@wirekit/core';`,
  '@wirekit/core + socketio()': `export { Connection, socketio } from '@wirekit/core';`,
  '@wirekit/core + eventSource()': `export { Connection, eventSource } from '@wirekit/core';`,
  '@wirekit/core + memory()': `export { Connection, memory, createMemoryServer } from '@wirekit/core';`,
  '@wirekit/core pool + websocket()': `export { createPool, websocket } from '@wirekit/core';`,
  '@wirekit/core pool + socketio()': `export { createPool, socketio } from '@wirekit/core';`,
  'socket.io-client': `export { io } from 'socket.io-client';`,
  partysocket: `export { WebSocket } from 'partysocket';`,
  'reconnecting-websocket': `export { default } from 'reconnecting-websocket';`,
};

/**
 * `@wirekit/ui` components as an app imports them (tree-shaken from the package entry),
 * Svelte-compiled in production mode, component CSS injected; svelte and core external.
 */
export const COMPONENT_BUNDLES: Record<string, string> = {
  ...Object.fromEntries(
    COMPONENTS.map((name) => [`@wirekit/ui ${name}`, `export { ${name} } from '@wirekit/ui';`]),
  ),
  '@wirekit/ui all three': `export { ${COMPONENTS.join(', ')} } from '@wirekit/ui';`,
};

/**
 * Minified ESM browser bundle of `source`; returns min and min+gzip bytes of every output
 * (JS, and CSS when some is emitted, each gzipped on its own as a server sends them) and the
 * inputs. `options` adds to the shared settings (plugins, conditions, externals for components).
 */
export async function measure(source: string, options: BuildOptions = {}) {
  const result = await build({
    ...options,
    stdin: { contents: source, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outdir: `${root}dist/bundle-measure`,
    metafile: true,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  let min = 0;
  let gzip = 0;
  for (const file of result.outputFiles) {
    min += file.contents.length;
    gzip += gzipSync(file.contents, { level: 9 }).length;
  }
  const inputs = Object.assign({}, ...Object.values(result.metafile.outputs).map((o) => o.inputs));
  return { min, gzip, inputs: inputs as Record<string, { bytesInOutput: number }> };
}

/** {@link measure} of a `@wirekit/ui` entry: Svelte compiler, svelte and core left out. */
export function measureComponent(source: string) {
  return measure(source, { ...svelteBuildOptions(), external: COMPONENT_EXTERNALS });
}

/** Bundle sizes of wirekit's core per transport vs the usual client libraries. */
export async function bundleSuite(): Promise<Row[]> {
  const suite = 'bundle size (esbuild --minify, ESM browser, gzip -9)';
  const rows: Row[] = [];
  for (const [name, source] of Object.entries(BUNDLES)) {
    // The pool's default transport is an `import()` of socketio(): a code-splitting bundler
    // (Vite/Rollup: checked) loads socket.io-client on demand, only when no transport is
    // passed. esbuild without splitting would inline it, so it is left out here, as in the
    // size-limit budgets.
    const lazy = name.includes('pool') && !name.includes('socketio()');
    const { min, gzip } = await measure(source, lazy ? { external: ['socket.io-client'] } : {});
    rows.push({
      suite,
      name,
      value: gzip,
      unit: 'B',
      better: 'lower',
      note: `${(min / 1024).toFixed(1)} KB min${lazy ? '; socket.io-client on demand, not counted' : ''}`,
      ...(name.startsWith('@wirekit') && !name.includes('memory')
        ? { baseline: name.includes('socketio') ? 'socket.io-client' : 'reconnecting-websocket' }
        : {}),
    });
  }
  const components =
    'component bundle size (Svelte prod compile, CSS injected, svelte + core excluded, gzip -9)';
  for (const [name, source] of Object.entries(COMPONENT_BUNDLES)) {
    const { min, gzip } = await measureComponent(source);
    // No baseline: a naive component without the same features would not be a fair figure.
    rows.push({
      suite: components,
      name,
      value: gzip,
      unit: 'B',
      better: 'lower',
      note: `${(min / 1024).toFixed(1)} KB min`,
    });
  }
  return rows;
}

/** The heaviest inputs of a bundle (what pulls weight). */
export async function heaviest(name: string, top = 8): Promise<[string, number][]> {
  const { inputs } =
    name in COMPONENT_BUNDLES
      ? await measureComponent(COMPONENT_BUNDLES[name]!)
      : await measure(BUNDLES[name]!);
  return Object.entries(inputs)
    .map(
      ([file, info]) =>
        [file.replace(/.*node_modules\//, '').replace(/^\.\.\//, ''), info.bytesInOutput] as [
          string,
          number,
        ],
    )
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
}
