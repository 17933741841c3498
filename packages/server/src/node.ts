import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import { attachWirekit, type WirekitOptions, type WirekitServer } from './attach.js';
import { registerWirekit } from './global.js';
import type { WirekitUser } from './services/session.js';

/** Socket.IO options wirekit starts from; yours are merged over them. */
export const DEFAULT_SOCKET_OPTIONS: Partial<ServerOptions> = {
  // Above the default per-event limit (32 KiB), far below Socket.IO's 1 MB default.
  maxHttpBufferSize: 128 * 1024,
  // Leave other upgrade requests (Vite's HMR socket) to their own handlers.
  destroyUpgrade: false,
};

/** Options of {@link attachToHttpServer}. */
export interface AttachToHttpOptions<
  U extends WirekitUser = WirekitUser,
> extends WirekitOptions<U> {
  /** Socket.IO server options, merged over {@link DEFAULT_SOCKET_OPTIONS}. */
  socket?: Partial<ServerOptions>;
  /** Called with the new Socket.IO server before wirekit attaches, e.g. to set the Redis adapter. */
  setup?: (io: Server) => void;
  /**
   * Make this server the one `getWirekit()` returns.
   * @default true
   */
  register?: boolean;
}

/** What {@link attachToHttpServer} returns. */
export interface AttachedWirekit<U extends WirekitUser = WirekitUser> {
  io: Server;
  wirekit: WirekitServer<U>;
  /** Closes wirekit and Socket.IO's engine; leaves the HTTP server to its owner. */
  close(): Promise<void>;
}

/**
 * Creates a Socket.IO server on an existing HTTP server and attaches
 * wirekit to it. Closed automatically when the HTTP server closes.
 *
 * @example
 * const { wirekit } = attachToHttpServer(httpServer, { authenticate });
 */
export function attachToHttpServer<U extends WirekitUser = WirekitUser>(
  httpServer: HttpServer | Http2SecureServer,
  options: AttachToHttpOptions<U>,
): AttachedWirekit<U> {
  const { socket, setup, register = true, ...wirekitOptions } = options;
  const io = new Server(httpServer, { ...DEFAULT_SOCKET_OPTIONS, ...socket });
  setup?.(io);
  const wirekit = attachWirekit<U>(io, wirekitOptions);
  const unregister = register ? registerWirekit(wirekit as WirekitServer) : () => {};
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      unregister();
      await wirekit.close();
      // Not io.close(): that would close the HTTP server, which is not ours.
      io.engine.close();
    })();
    return closing;
  };
  httpServer.once('close', () => void close());
  return { io, wirekit, close };
}

/** adapter-node's `handler` (from `build/handler.js`), or any Connect-style middleware. */
export type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => unknown;

/** Options of {@link createNodeServer}. */
export interface NodeServerOptions<
  U extends WirekitUser = WirekitUser,
> extends AttachToHttpOptions<U> {
  /** The SvelteKit app: `import { handler } from './build/handler.js'`. */
  handler: NodeHandler;
  /**
   * Serve `wirekit.health()` as JSON at this path, or `false` for none.
   * @default false
   */
  healthPath?: string | false;
}

/** What {@link createNodeServer} returns. */
export interface NodeServer<U extends WirekitUser = WirekitUser> extends AttachedWirekit<U> {
  httpServer: HttpServer;
  /** Starts listening; resolves with the bound address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
}

/**
 * A production server for a SvelteKit app built with adapter-node: one HTTP
 * server that serves the app through its `handler` and Socket.IO with
 * wirekit on the same port.
 *
 * @example
 * // server.js (run with `node server.js` after `vite build`)
 * import { handler } from './build/handler.js';
 * import { createNodeServer } from '@wirekit/server/node';
 * const server = createNodeServer({ handler, authenticate, healthPath: '/healthz' });
 * await server.listen(Number(process.env.PORT ?? 3000), '0.0.0.0');
 */
export function createNodeServer<U extends WirekitUser = WirekitUser>(
  options: NodeServerOptions<U>,
): NodeServer<U> {
  const { handler, healthPath = false, ...attachOptions } = options;
  // The app's listener must exist before Socket.IO attaches: engine.io wraps the
  // listeners present at that time so that its own /socket.io/ requests skip them.
  const ref: { current?: AttachedWirekit<U> } = {};
  const httpServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (healthPath !== false && ref.current && req.url?.split('?')[0] === healthPath) {
      const body = JSON.stringify(ref.current.wirekit.health());
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    handler(req, res, (error?: unknown) => {
      if (res.headersSent) return;
      res.statusCode = error ? 500 : 404;
      res.end(error ? 'Internal Server Error' : 'Not Found');
    });
  });
  const attached = attachToHttpServer(httpServer, attachOptions);
  ref.current = attached;
  const { io, wirekit, close } = attached;
  return {
    httpServer,
    io,
    wirekit,
    listen(port = 3000, host) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve(httpServer.address() as AddressInfo);
        });
      });
    },
    async close() {
      await close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
