// Production entry: adapter-node's handler and Socket.IO on one HTTP server.
// `pnpm build && node server.js` (PORT, HOST, ORIGIN, REDIS_URL, DEMO_SECRET from the environment).
import { randomBytes } from 'node:crypto';
import { createNodeServer } from '@wirekit/server/node';

// The fixed dev secret is in the repository: anyone could sign a session with it. Without
// DEMO_SECRET, a random secret per process (sessions end when the server restarts).
if (!process.env.DEMO_SECRET) {
  process.env.DEMO_SECRET = randomBytes(32).toString('base64url');
  console.warn('DEMO_SECRET is not set: using a random secret; sessions end on restart.');
}
// Imported after DEMO_SECRET is settled: the tokens module reads it when it loads.
const { wirekitOptions } = await import('./wirekit.config.js');

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
// adapter-node assumes https unless told the public origin; its form-action CSRF check
// compares against it. Behind a proxy, set ORIGIN (or PROTOCOL_HEADER/HOST_HEADER) yourself.
// A wildcard bind address is no origin a browser can open: say localhost then.
const publicHost =
  host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
process.env.ORIGIN ??= `http://${publicHost}:${port}`;
// Imported after ORIGIN is set: adapter-node reads its environment when the handler loads.
const { handler } = await import('./build/handler.js');

const server = createNodeServer({ handler, healthPath: '/healthz', ...(await wirekitOptions()) });
await server.listen(port, host);
console.log(`wirekit demo listening on ${process.env.ORIGIN}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
    // close() waits for every open response, and a Server-Sent Events stream (the status page)
    // never ends by itself: cut what is still open once in-flight requests had a moment.
    setInterval(() => server.httpServer.closeAllConnections(), 1000).unref();
  });
}
