import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';

export interface TestServerOptions {
  /** Tokens accepted in the handshake; anything else is rejected as unauthorized. */
  tokens?: string[];
  /** Fixed port (to restart on the same address). */
  port?: number;
}

/**
 * A real Socket.IO server on 127.0.0.1 for integration tests: token auth, `wk:ping`,
 * `echo` with ack, a `store` event deduplicated by client id, and counters of what it saw.
 */
export class TestSocketServer {
  readonly http: HttpServer;
  readonly io: Server;
  port = 0;
  /** Handshakes seen (accepted or not). */
  handshakes = 0;
  rejected = 0;
  /** Engine.IO (TCP) connections opened. */
  engineConnections = 0;
  /** Stored messages by client id; survives restarts when passed to the next instance. */
  readonly stored: Map<string, unknown>;
  /** Every `store` packet received, resends included. */
  storeReceipts = 0;
  readonly #options: TestServerOptions;

  constructor(options: TestServerOptions = {}, stored = new Map<string, unknown>()) {
    this.#options = options;
    this.stored = stored;
    this.http = createServer();
    this.io = new Server(this.http, { transports: ['websocket', 'polling'] });
    this.io.engine.on('connection', () => {
      this.engineConnections += 1;
    });
    // The main namespace '/' is not covered by a regex parent namespace: wire both.
    const auth = (socket: Socket, next: (err?: Error) => void) => {
      this.handshakes += 1;
      const token = (socket.handshake.auth as { token?: string }).token;
      if (options.tokens && !options.tokens.includes(token ?? '')) {
        this.rejected += 1;
        const err = new Error('unauthorized') as Error & { data?: unknown };
        err.data = { code: 'unauthorized', message: 'Bad token' };
        return next(err);
      }
      next();
    };
    for (const nsp of [this.io.of('/'), this.io.of(/^\/.+/)]) {
      nsp.use(auth);
      nsp.on('connection', (socket) => this.#wire(socket));
    }
  }

  #wire(socket: Socket): void {
    socket.on('wk:ping', (ack?: () => void) => ack?.());
    socket.on('echo', (data: unknown, _meta: unknown, ack?: (reply: unknown) => void) => {
      socket.emit('echo', data);
      if (typeof ack === 'function') ack(data);
    });
    socket.on('store', (data: unknown, meta: { cid?: string }, ack?: (reply: unknown) => void) => {
      this.storeReceipts += 1;
      const cid = meta?.cid ?? '';
      if (!this.stored.has(cid)) this.stored.set(cid, data);
      if (typeof ack === 'function') ack({ ok: true, cid });
    });
    // Persists, then drops the transport before acking: the client must resend (same cid)
    // and the server must not store it twice.
    socket.on(
      'store-then-drop',
      (data: unknown, meta: { cid?: string }, ack?: (reply: unknown) => void) => {
        this.storeReceipts += 1;
        const cid = meta?.cid ?? '';
        if (this.stored.has(cid)) return ack?.({ ok: true, cid, duplicate: true });
        this.stored.set(cid, data);
        socket.conn.close();
      },
    );
  }

  /** Sockets currently connected across all namespaces. */
  get sockets(): number {
    let n = 0;
    for (const nsp of this.io._nsps.values()) n += nsp.sockets.size;
    return n;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) =>
      this.http.listen(this.#options.port ?? 0, '127.0.0.1', resolve),
    );
    this.port = (this.http.address() as AddressInfo).port;
    return this;
  }

  /** Stops hard: every client sees its transport close. */
  async stop(): Promise<void> {
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      this.io.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}

export function startSocketServer(options?: TestServerOptions, stored?: Map<string, unknown>) {
  return new TestSocketServer(options, stored).start();
}

/** Resolves when `predicate` holds, re-checking on every event loop turn (no fixed sleeps). */
export async function until(
  predicate: () => boolean,
  what = 'condition',
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
