import { createServer } from 'node:http';
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

/** Users: the token is `token-<id>`. */
const USERS: Record<string, { id: string; name: string }> = {
  alice: { id: 'alice', name: 'Alice' },
  bob: { id: 'bob', name: 'Bob' },
  carol: { id: 'carol', name: 'Carol' },
};

export async function startServer(): Promise<TestServer> {
  const http = createServer();
  // Browser tests are served from another origin (Vite's dev server).
  const io = new Server(http, { cors: { origin: true } });
  const wirekit = attachWirekit(io, {
    authenticate: (token) => USERS[token.replace(/^token-/, '')] ?? null,
    onError: () => {},
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
