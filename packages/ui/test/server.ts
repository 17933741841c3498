import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { attachWirekit, type WirekitServer } from '@wirekit/server';

/** A real Socket.IO + wirekit server on an ephemeral loopback port. */
export interface TestServer {
  url: string;
  io: Server;
  wirekit: WirekitServer;
  close(): Promise<void>;
}

/**
 * Test controls over plain HTTP (the browser tests cannot reach Node objects):
 * `POST /__notify` with `{ user, title, body?, url? }` notifies a user; `POST /__down` refuses
 * new connections and drops the live ones; `POST /__up` accepts connections again;
 * `GET /__stats` returns `{ sockets }`, the live server-side sockets.
 */
function controls(
  wirekit: () => WirekitServer,
  io: () => Server,
  setDown: (down: boolean) => void,
) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith('/__')) return;
    res.setHeader('access-control-allow-origin', '*');
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (path === '/__notify') {
        const { user, ...input } = JSON.parse(body || '{}') as { user: string; title: string };
        wirekit()
          .notify(user, input)
          .then(
            (n) => res.end(JSON.stringify(n)),
            () => res.writeHead(500).end(),
          );
      } else if (path === '/__stats') {
        res.end(JSON.stringify({ sockets: io().engine.clientsCount }));
      } else if (path === '/__down' || path === '/__up') {
        setDown(path === '/__down');
        if (path === '/__down') io().disconnectSockets(true);
        res.end('{}');
      } else res.writeHead(404).end();
    });
  };
}

/** Users: the token is `token-<id>`. */
const USERS: Record<string, { id: string; name: string }> = {
  alice: { id: 'alice', name: 'Alice' },
  bob: { id: 'bob', name: 'Bob' },
  carol: { id: 'carol', name: 'Carol' },
};

/** `rateLimit: false` for tests that drive far more events than a person would (the memory run). */
export async function startServer(options: { rateLimit?: false } = {}): Promise<TestServer> {
  let down = false;
  const http: HttpServer = createServer(
    controls(
      () => wirekit,
      () => io,
      (value) => (down = value),
    ),
  );
  // Browser tests are served from another origin (Vite's dev server).
  const io: Server = new Server(http, {
    cors: { origin: true },
    // While "down", handshakes are refused as by a server that is not there.
    allowRequest: (_req, callback) => callback(down ? 'server down' : null, !down),
  });
  const wirekit: WirekitServer = attachWirekit(io, {
    authenticate: (token) => USERS[token.replace(/^token-/, '')] ?? null,
    onError: () => {},
    ...options,
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    io,
    wirekit,
    async close() {
      await wirekit.close();
      await io.close();
    },
  };
}
