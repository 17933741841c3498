import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connectClient } from 'socket.io-client';
import { createServer, preview } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { getWirekit } from './global.js';
import { authenticate, next, tokenOf } from './test-utils/harness.js';
import { wirekit } from './vite.js';

const root = mkdtempSync(join(tmpdir(), 'wirekit-vite-'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>');

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function hello(port: number, transport: 'websocket' | 'polling' = 'websocket') {
  const client = connectClient(`http://127.0.0.1:${port}`, {
    auth: { token: tokenOf('alice') },
    transports: [transport],
    reconnection: false,
  });
  const event = await next<{ user: { id: string } }>(client, 'wk:hello');
  client.disconnect();
  return event;
}

const base = { configFile: false as const, root, logLevel: 'silent' as const };

describe('wirekit() Vite plugin', () => {
  it('does nothing in middleware mode (no httpServer)', async () => {
    const server = await createServer({
      ...base,
      server: { middlewareMode: true, hmr: false, ws: false },
      plugins: [wirekit({ authenticate })],
    });
    expect(server.httpServer).toBeNull();
    expect(getWirekit()).toBeUndefined();
    await server.close();
  });

  it('serves wirekit on the dev server port next to the app', async () => {
    const server = await createServer({
      ...base,
      server: { port: 0, host: '127.0.0.1', strictPort: false },
      plugins: [wirekit({ authenticate })],
    });
    await server.listen();
    const { port } = server.httpServer?.address() as AddressInfo;
    expect((await hello(port)).user.id).toBe('alice');
    expect((await hello(port, 'polling')).user.id).toBe('alice');
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect(getWirekit()?.health().status).toBe('ok');
    await server.close();
    expect(getWirekit()).toBeUndefined();
  });

  it('serves wirekit on vite preview', async () => {
    const server = await preview({
      ...base,
      build: { outDir: root },
      preview: { port: 0, host: '127.0.0.1' },
      plugins: [wirekit({ authenticate })],
    });
    const { port } = server.httpServer.address() as AddressInfo;
    expect((await hello(port)).user.id).toBe('alice');
    await server.close();
  });
});
