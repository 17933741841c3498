import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Clock } from '../internal/clock.js';
import { until } from '../../test/socketio-server.js';
import { startEchoWsServer } from '../../test/ws-server.js';
import { type ConnectionPool, createPool, type PoolOptions } from '../pool/ConnectionPool.js';
import { type WebSocketConstructor, websocket } from './websocket.js';

type WsServer = Awaited<ReturnType<typeof startEchoWsServer>>;
let ws: WsServer;
let pools: ConnectionPool[] = [];
beforeEach(async () => {
  ws = await startEchoWsServer();
});
afterEach(async () => {
  for (const p of pools) p.destroy();
  pools = [];
  await ws.close();
});

function pool(options: Partial<PoolOptions> = {}) {
  const p = createPool({
    url: ws.url,
    transport: websocket({ WebSocket: WebSocket as unknown as WebSocketConstructor }),
    connectOnServer: true,
    auth: () => 'good',
    ...options,
  });
  pools.push(p);
  return p;
}

const numberSchema = {
  '~standard': {
    version: 1 as const,
    vendor: 'test',
    validate: (v: unknown) =>
      typeof v === 'number' ? { value: v } : { issues: [{ message: 'NaN' }] },
  },
};

describe('websocket transport against a real ws server (Node)', () => {
  it('handshakes with the token in the first frame, not the URL, and acks', async () => {
    const { connection } = pool().acquire('/ws');
    const echoed: unknown[] = [];
    connection.on('echo', (d) => echoed.push(d));
    await until(() => connection.state === 'connected', 'connected');
    expect(ws.hellos).toBe(1);
    const reply = await connection.send('echo', { a: 1 }, { ack: true });
    expect(reply).toEqual({ a: 1 });
    await until(() => echoed.length === 1, 'echo event');
    await until(() => connection.getSnapshot().rtt !== null, 'rtt');
    expect(connection.getSnapshot().bytesIn).toBeGreaterThan(0);
  });

  it('treats close code 4401 as unauthorized and does not retry', async () => {
    const { connection } = pool({ auth: () => 'nope', backoff: { initialDelay: 1 } }).acquire(
      '/ws',
    );
    await until(() => connection.state === 'failed', 'failed');
    expect(connection.getSnapshot().error?.kind).toBe('unauthorized');
    expect(connection.getSnapshot().timers).toBe(0);
    expect(ws.connections).toBe(1);
  });

  it('reconnects with a fresh token after a mid-session 4401; a token it cannot renew fails', async () => {
    const tokens = ['good', 'good', 'nope'];
    const issued: string[] = [];
    const { connection } = pool({
      auth: () => {
        const token = tokens.shift() ?? 'nope';
        issued.push(token);
        return token;
      },
      backoff: { initialDelay: 1, jitter: 0 },
    }).acquire('/ws');
    const errors: unknown[] = [];
    connection.subscribe(({ error }) => error && !errors.includes(error) && errors.push(error));
    await until(() => connection.state === 'connected', 'connected');
    connection.send('expire', null);
    await until(() => ws.connections === 2 && connection.state === 'connected', 'reconnected');
    expect(issued).toEqual(['good', 'good']);
    expect(errors).toEqual([expect.objectContaining({ kind: 'server', data: 4401 })]);

    // The next expiry finds the callback out of valid tokens: the handshake's 4401 is final.
    connection.send('expire', null);
    await until(() => connection.state === 'failed', 'failed');
    expect(connection.getSnapshot().error?.kind).toBe('unauthorized');
    expect(issued).toEqual(['good', 'good', 'nope']);
    expect(ws.connections).toBe(3);
    expect(connection.getSnapshot().timers).toBe(0);
  });

  it('fails the attempt, not the process, when the auth payload cannot be sent as JSON', async () => {
    const { connection } = pool({
      auth: () => ({ token: 1n }),
      backoff: { initialDelay: 600_000, jitter: 0 },
    }).acquire('/ws');
    await until(() => connection.state === 'reconnecting', 'reconnecting');
    const { error } = connection.getSnapshot();
    expect(error).toMatchObject({ kind: 'network', message: 'The auth callback failed' });
    expect(error?.cause).toBeInstanceOf(TypeError);
    expect(ws.connections).toBe(0);
  });

  it('counts malformed frames and schema failures without calling handlers', async () => {
    const { connection } = pool({ schemas: { number: numberSchema } }).acquire('/ws');
    const numbers: unknown[] = [];
    connection.on('number', (n) => numbers.push(n));
    await until(() => connection.state === 'connected', 'connected');
    await connection.send('garbage', null, { ack: true });
    await until(() => numbers.length === 1, 'valid number');
    expect(numbers).toEqual([42]);
    expect(connection.getSnapshot().invalid).toBe(2);
  });

  it('reconnects after a server close (4000) and detects a silent peer by heartbeat', async () => {
    const { connection } = pool({
      backoff: { initialDelay: 10, jitter: 0 },
      heartbeat: { interval: 100, timeout: 100 },
    }).acquire('/ws');
    await until(() => connection.state === 'connected', 'connected');
    connection.send('kick', null);
    await until(() => connection.getSnapshot().error?.kind === 'server', 'server close seen');
    await until(() => connection.state === 'connected', 'reconnected');
    expect(ws.connections).toBe(2);

    connection.send('silent', null);
    await until(() => connection.getSnapshot().error?.kind === 'timeout', 'heartbeat timeout');
    await until(() => connection.state === 'connected', 'reconnected after heartbeat');
    expect(ws.connections).toBe(3);
  });

  it('gives up on a server that never answers the upgrade without an uncaught error', async () => {
    // A server that accepts TCP but never answers the HTTP upgrade (overloaded, or a stuck proxy).
    const accepted = new Set<Socket>();
    const stalled = createServer((socket) => accepted.add(socket));
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const sockets: WebSocket[] = [];
    class Tracked extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    }
    // Only the connect deadline runs on this clock; it fires when the test says so.
    const due: Array<() => void> = [];
    const clock: Clock = {
      now: () => 0,
      setTimeout: (callback) => due.push(callback),
      clearTimeout: () => {},
    };
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const { connection } = pool({
        url: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`,
        transport: websocket({ WebSocket: Tracked as unknown as WebSocketConstructor }),
        clock,
        connectTimeout: 5_000,
      }).acquire('/ws');
      await until(() => accepted.size === 1, 'TCP connection accepted');
      expect(sockets[0]?.readyState).toBe(WebSocket.CONNECTING);
      for (const fire of due.splice(0)) fire(); // the connect deadline passes
      expect(connection.state).toBe('reconnecting');
      expect(connection.getSnapshot().error?.kind).toBe('timeout');
      // `ws` fails a CONNECTING socket on the next tick: 'error', then 'close'.
      await until(
        () => uncaught.length > 0 || sockets[0]?.readyState === WebSocket.CLOSED,
        'socket closed',
      );
      expect(uncaught).toEqual([]);
      expect(sockets[0]?.readyState).toBe(WebSocket.CLOSED);
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => stalled.close(() => resolve()));
    }
  });
});
