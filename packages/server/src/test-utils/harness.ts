import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import type { Ack, HelloEvent } from '@wirekit/core/protocol';
import { attachWirekit, type WirekitOptions, type WirekitServer } from '../attach.js';
import type { WirekitUser } from '../services/session.js';

/** Test users: the token is `token-<id>`. */
export const USERS: Record<string, WirekitUser & { admin?: boolean }> = {
  alice: { id: 'alice', name: 'Alice' },
  bob: { id: 'bob', name: 'Bob' },
  carol: { id: 'carol', name: 'Carol' },
  mallory: { id: 'mallory', name: 'Mallory' },
};

export const tokenOf = (id: string) => `token-${id}`;

export const authenticate: WirekitOptions['authenticate'] = (token) => {
  const id = token.startsWith('token-') ? token.slice(6) : '';
  return USERS[id] ?? null;
};

export interface TestServer {
  http: HttpServer;
  io: Server;
  wirekit: WirekitServer;
  url: string;
  clients: ClientSocket[];
  /** The `wk:hello` a client connected with {@link TestServer.connect} got. */
  hello(socket: ClientSocket): HelloEvent | undefined;
  /** Connects a client as a user (or with raw auth) and waits for `wk:hello`. */
  connect(user: string, extra?: { auth?: Record<string, unknown> }): Promise<ClientSocket>;
  /** Connects and waits for the connect_error; resolves with the error. */
  refused(auth: Record<string, unknown> | undefined): Promise<Error & { data?: unknown }>;
  close(): Promise<void>;
}

/** Starts Socket.IO + wirekit on an ephemeral loopback port. */
export async function startServer(
  options: Partial<WirekitOptions> = {},
  ioOptions: Partial<ServerOptions> = {},
  setup?: (io: Server) => void | Promise<void>,
): Promise<TestServer> {
  const http = createServer();
  const io = new Server(http, ioOptions);
  await setup?.(io);
  const wirekit = attachWirekit(io, { authenticate, onError: () => {}, ...options });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const clients: ClientSocket[] = [];
  const hellos = new Map<ClientSocket, HelloEvent>();
  const open = (auth: Record<string, unknown> | undefined) => {
    const socket = connectClient(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(auth ? { auth } : {}),
    });
    clients.push(socket);
    return socket;
  };
  return {
    http,
    io,
    wirekit,
    url,
    clients,
    hello: (socket) => hellos.get(socket),
    connect(user, extra) {
      const socket = open(extra?.auth ?? { token: tokenOf(user) });
      return new Promise((resolve, reject) => {
        socket.once('wk:hello', (hello: HelloEvent) => {
          hellos.set(socket, hello);
          resolve(socket);
        });
        socket.once('connect_error', reject);
      });
    },
    refused(auth) {
      const socket = open(auth);
      return new Promise((resolve, reject) => {
        socket.once('connect', () => reject(new Error('connected but should be refused')));
        socket.once('connect_error', resolve);
      });
    },
    async close() {
      for (const client of clients) client.disconnect();
      await wirekit.close();
      await io.close();
    },
  };
}

/** Emits with an ack and resolves with it. */
export function request<R extends object = Record<string, unknown>>(
  socket: ClientSocket,
  event: string,
  ...args: unknown[]
): Promise<Ack<R>> {
  return socket.timeout(5000).emitWithAck(event, ...args) as Promise<Ack<R>>;
}

/** Resolves with the next payload of an event. */
export function next<T = unknown>(socket: ClientSocket, event: string): Promise<T> {
  return new Promise((resolve) => socket.once(event, (payload: T) => resolve(payload)));
}

/** Records every payload of an event. */
export function record<T = unknown>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

/**
 * Resolves once everything the server sent to this socket before now has
 * arrived: the ping's ack travels behind it on the same connection.
 */
export async function flush(socket: ClientSocket): Promise<void> {
  await request(socket, 'wk:ping');
}

/** Unwraps a successful ack or throws with its error. */
export function ok<R extends object>(ack: Ack<R>): R {
  if (!ack.ok) throw new Error(`ack failed: ${ack.error.code}: ${ack.error.message}`);
  return ack;
}
