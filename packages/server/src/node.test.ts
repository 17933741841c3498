import type { WirekitHealth } from './attach.js';
import { io as connectClient } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { getWirekit } from './global.js';
import { createNodeServer, type NodeServer } from './node.js';
import { authenticate, next, tokenOf } from './test-utils/harness.js';

let server: NodeServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('createNodeServer (adapter-node custom server)', () => {
  it('serves the app, the health route and wirekit on one port', async () => {
    server = createNodeServer({
      authenticate,
      healthPath: '/healthz',
      handler: (req, res, nextFn) => {
        if (req.url === '/') {
          res.setHeader('content-type', 'text/html');
          res.end('<h1>app</h1>');
        } else nextFn?.();
      },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${base}/`)).text()).toBe('<h1>app</h1>');
    expect((await fetch(`${base}/missing`)).status).toBe(404);

    const client = connectClient(base, {
      auth: { token: tokenOf('alice') },
      transports: ['websocket'],
      reconnection: false,
    });
    const hello = await next<{ user: { id: string } }>(client, 'wk:hello');
    expect(hello.user.id).toBe('alice');
    const health = (await (await fetch(`${base}/healthz?x=1`)).json()) as WirekitHealth;
    expect(health).toMatchObject({ status: 'ok', connections: 1, users: 1 });
    expect(getWirekit()).toBe(server.wirekit);
    // Long-polling requests go to Socket.IO, never to the app's handler.
    const polling = connectClient(base, {
      auth: { token: tokenOf('bob') },
      transports: ['polling'],
      reconnection: false,
    });
    expect((await next<{ user: { id: string } }>(polling, 'wk:hello')).user.id).toBe('bob');
    polling.disconnect();
    client.disconnect();
  });

  it('unregisters and closes wirekit with the HTTP server', async () => {
    const local = createNodeServer({ authenticate, handler: (_req, res) => res.end('ok') });
    await local.listen(0, '127.0.0.1');
    expect(getWirekit()).toBe(local.wirekit);
    await local.close();
    expect(getWirekit()).toBeUndefined();
    expect(local.wirekit.health().status).toBe('closed');
  });
});
