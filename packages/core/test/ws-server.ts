import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

interface Frame {
  t: string;
  e?: string;
  d?: unknown;
  id?: number;
  ack?: number;
  auth?: { token?: string };
}

/**
 * A real `ws` server speaking wirekit's WebSocket envelope, plus an SSE endpoint at `/sse`.
 * Token `good` is accepted, anything else closed with 4401. Events: `echo` (emits back and acks),
 * `garbage` (server replies with a malformed frame), `kick` (server closes with 4000),
 * `expire` (closes with 4401 as if the token expired), `stats` (acks with connection counts). Pings are answered unless `silent` was sent.
 */
export async function startEchoWsServer(port = 0) {
  let connections = 0;
  let hellos = 0;
  const live = new Set<WebSocket>();
  let down = false;
  const http = createServer((req, res) => {
    if (req.url === '/control/down' || req.url === '/control/up') {
      down = req.url === '/control/down';
      res.writeHead(200, { 'access-control-allow-origin': '*' }).end('ok');
      return;
    }
    if (req.url?.startsWith('/sse-resume')) {
      // Two events with ids, then the stream ends; each event says where the client resumed.
      const from = new URL(req.url, 'http://x').searchParams.get('lastEventId');
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'access-control-allow-origin': '*',
      });
      for (const id of [Number(from ?? 0) + 1, Number(from ?? 0) + 2]) {
        res.write(`id: ${id}\ndata: ${JSON.stringify({ e: 'resumed', d: { from, id } })}\n\n`);
      }
      res.end();
      return;
    }
    if (req.url?.startsWith('/sse')) {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        'access-control-allow-origin': '*',
      });
      res.write(`data: ${JSON.stringify({ e: 'tick', d: { n: 1 } })}\n\n`);
      res.write(`event: stats\ndata: ${JSON.stringify({ connections })}\n\n`);
      res.write(`data: not json\n\n`);
      return;
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });
  // While "down", upgrades are refused the way a restarting server refuses them.
  http.on('upgrade', (req, socket, head) => {
    if (down) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, req));
  });
  wss.on('connection', (ws) => {
    connections += 1;
    live.add(ws);
    let authed = false;
    let silent = false;
    ws.on('close', () => live.delete(ws));
    ws.on('message', (raw) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(raw)) as Frame;
      } catch {
        return;
      }
      if (frame.t === 'hello') {
        hellos += 1;
        if (frame.auth?.token !== 'good') return ws.close(4401, 'unauthorized');
        authed = true;
        return ws.send(JSON.stringify({ t: 'ready' }));
      }
      if (!authed) return ws.close(4401, 'unauthorized');
      if (frame.t === 'ping') {
        if (!silent) ws.send(JSON.stringify({ t: 'pong', id: frame.id }));
        return;
      }
      if (frame.t !== 'msg') return;
      const reply = (d: unknown) =>
        frame.ack !== undefined && ws.send(JSON.stringify({ t: 'ack', id: frame.ack, d }));
      switch (frame.e) {
        case 'echo':
          ws.send(JSON.stringify({ t: 'msg', e: 'echo', d: frame.d }));
          return reply(frame.d);
        case 'garbage':
          ws.send('{nope');
          ws.send(JSON.stringify({ t: 'msg', e: 'number', d: 'not a number' }));
          ws.send(JSON.stringify({ t: 'msg', e: 'number', d: 42 }));
          return reply(true);
        case 'silent':
          silent = true;
          return reply(true);
        case 'kick':
          return ws.close(4000, 'kicked');
        case 'expire':
          return ws.close(4401, 'token expired');
        case 'stats':
          return reply({ connections, live: live.size, hellos });
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const actual = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    get connections() {
      return connections;
    },
    get live() {
      return live.size;
    },
    get hellos() {
      return hellos;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of live) ws.terminate();
        wss.close();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
