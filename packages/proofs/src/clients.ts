import {
  Connection,
  createChatRoom,
  microtaskScheduler,
  socketio,
  type ChatRoom,
  type ConnectionOptions,
} from '@wirekit/core';
import { io, type Socket } from 'socket.io-client';
import type { ChatMessage } from '@wirekit/core/protocol';

/** Fast backoff so a short real outage shows several attempts; jitter stays on. */
export const BACKOFF = { initialDelay: 100, maxDelay: 1000, factor: 2, jitter: 0.5 };

/** A wirekit connection (socket.io transport) as a user; opened. */
export function connectAs(
  url: string,
  user: string,
  options: Partial<ConnectionOptions> = {},
): Connection {
  const connection = new Connection({
    key: '/',
    url,
    transport: socketio(),
    auth: () => ({ token: `token-${user}` }),
    backoff: BACKOFF,
    connectTimeout: 2000,
    heartbeat: { interval: 1000, timeout: 1000 },
    ...options,
  });
  connection.open();
  return connection;
}

/** A started chat room model on a connection (microtask batching: no frames in Node). */
export function roomOn(connection: Connection, room: string, sendTimeout = 30_000): ChatRoom {
  const model = createChatRoom(connection, {
    room,
    scheduler: microtaskScheduler,
    sendTimeout,
    maxMessages: 10_000,
  });
  model.start();
  return model;
}

/**
 * Highest `attempt` a connection reaches before each successful reconnect: the number of
 * connect attempts an outage cost.
 */
export function countAttempts(connection: Connection): { max: () => number; stop: () => void } {
  let max = 0;
  const stop = connection.subscribe((s) => {
    if (s.attempt > max) max = s.attempt;
  });
  return { max: () => max, stop };
}

/**
 * The most attempts the backoff schedule allows in `ms`: each delay is at least
 * `(1 − jitter) · min(initial · factor^(k−1), max)`.
 */
export function maxAttemptsWithin(ms: number, backoff = BACKOFF): number {
  let total = 0;
  let n = 0;
  for (;;) {
    const delay =
      (1 - backoff.jitter) * Math.min(backoff.initialDelay * backoff.factor ** n, backoff.maxDelay);
    if (total + delay > ms) return n + 1; // the attempt that outlived the outage
    total += delay;
    n += 1;
  }
}

/** A raw socket.io-client as a user, resolved after `wk:hello`. */
export function rawClient(url: string, user: string): Promise<Socket> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { token: `token-${user}` },
  });
  return new Promise((resolve, reject) => {
    socket.once('wk:hello', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Every message of a room, oldest first, through `chat:history` pages. */
export async function fullHistory(socket: Socket, room: string): Promise<ChatMessage[]> {
  const out: ChatMessage[] = [];
  let before: string | undefined;
  for (;;) {
    const ack = (await socket.timeout(10_000).emitWithAck('chat:history', {
      room,
      limit: 100,
      ...(before ? { before } : {}),
    })) as { ok: boolean; messages: ChatMessage[]; nextCursor: string | null };
    if (!ack.ok) throw new Error(`history refused: ${JSON.stringify(ack)}`);
    out.unshift(...ack.messages);
    if (!ack.nextCursor) return out;
    before = ack.nextCursor;
  }
}
