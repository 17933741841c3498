import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build } from 'vite';

/** The proofs package root, whether this runs from source or bundled into dist/run.mjs. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'vitest.config.ts'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('@wirekit/proofs root not found');
    dir = up;
  }
  return dir;
}

const pagesDir = join(packageRoot(), 'bench/browser/pages/');
const outDir = join(packageRoot(), 'dist/browser/');

let built: Promise<string> | undefined;

/**
 * Production build (minified, Svelte in production mode) of every `pages/*.html` bench page,
 * so browser figures measure what an app ships, not Vite's dev server. Built once per run,
 * however many suites ask.
 */
export function buildBenchPages(): Promise<string> {
  built ??= buildPages();
  return built;
}

async function buildPages(): Promise<string> {
  const input = Object.fromEntries(
    readdirSync(pagesDir)
      .filter((file) => file.endsWith('.html'))
      .map((file) => [file.replace(/\.html$/, ''), join(pagesDir, file)]),
  );
  await build({
    root: pagesDir,
    base: './',
    logLevel: 'warn',
    configFile: false,
    plugins: [svelte()],
    build: { outDir, emptyOutDir: true, target: 'es2022', rollupOptions: { input } },
  });
  return outDir;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
};

/** Serves the built pages on 127.0.0.1; `url` ends with a slash (`${url}receive.html`). */
export async function serveBenchPages(dir = outDir): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path);
    if (!file.startsWith(dir) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
