import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
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

/** Minified ESM browser bundle of `source`; returns min and min+gzip bytes and the inputs. */
export async function measure(source: string) {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const inputs = Object.entries(result.metafile.outputs)[0]![1].inputs;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, inputs };
}

/** Bundle sizes of wirekit's core per transport vs the usual client libraries. */
export async function bundleSuite(): Promise<Row[]> {
  const suite = 'bundle size (esbuild --minify, ESM browser, gzip -9)';
  const rows: Row[] = [];
  for (const [name, source] of Object.entries(BUNDLES)) {
    const { min, gzip } = await measure(source);
    rows.push({
      suite,
      name,
      value: gzip,
      unit: 'B',
      better: 'lower',
      note: `${(min / 1024).toFixed(1)} KB min`,
      ...(name.startsWith('@wirekit') && !name.includes('memory')
        ? { baseline: name.includes('socketio') ? 'socket.io-client' : 'reconnecting-websocket' }
        : {}),
    });
  }
  return rows;
}

/** The heaviest inputs of a bundle (what pulls weight). */
export async function heaviest(name: string, top = 8): Promise<[string, number][]> {
  const { inputs } = await measure(BUNDLES[name]!);
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
