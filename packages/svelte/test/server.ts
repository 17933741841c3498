import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { attachWirekit, roomChannel, type WirekitServer } from '@wirekit/server';

/**
 * What the tests can ask the server (over `GET /__stats?room=a,b`). `GET
 * /__notify?user=alice&title=Hi` sends a notification.
 */
export interface ServerStats {
  /** Engine.IO handshakes accepted so far (one per TCP/WebSocket connection). */
  handshakes: number;
  /** Engine.IO connections open right now. */
  sockets: number;
  /** Sessions per requested chat room right now (server-side membership). */
  members: Record<string, number>;
}

/** A real Socket.IO + wirekit server on an ephemeral loopback port. */
export interface TestServer {
  url: string;
  io: Server;
  wirekit: WirekitServer;
  stats(rooms?: string[]): ServerStats;
  close(): Promise<void>;
}

/** Users: the token is `token-<id>`. */
const USERS: Record<string, { id: string; name: string }> = {
  alice: { id: 'alice', name: 'Alice' },
  bob: { id: 'bob', name: 'Bob' },
};

export async function startServer(): Promise<TestServer> {
  let handshakes = 0;
  const stats = (rooms: string[] = []): ServerStats => ({
    handshakes,
    sockets: io.engine.clientsCount,
    members: Object.fromEntries(
      rooms.map((room) => [room, io.of('/').adapter.rooms.get(roomChannel(room))?.size ?? 0]),
    ),
  });
  // Tests run where Node-only modules may not load (jsdom with the browser condition):
  // they read the server's state over HTTP.
  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/__notify') {
      const user = url.searchParams.get('user') ?? '';
      const title = url.searchParams.get('title') ?? '';
      void wirekit.notify(user, { title }).then(
        (n) => res.end(JSON.stringify(n)),
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (url.pathname !== '/__stats') return;
    const rooms = url.searchParams.get('room')?.split(',').filter(Boolean) ?? [];
    res.setHeader('content-type', 'application/json');
    res.setHeader('access-control-allow-origin', '*');
    res.end(JSON.stringify(stats(rooms)));
  });
  const io = new Server(http);
  io.engine.on('connection', () => {
    handshakes += 1;
  });
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
    stats,
    async close() {
      await wirekit.close();
      await io.close();
    },
  };
}
