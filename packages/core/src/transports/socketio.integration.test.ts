import { Manager, type Socket } from 'socket.io-client';
import { afterEach, assert, describe, expect, it, vi } from 'vitest';
import { startSocketServer, type TestSocketServer, until } from '../../test/socketio-server.js';
import type { ConnectionSnapshot } from '../connection/types.js';
import { type ConnectionPool, createPool, type PoolOptions } from '../pool/ConnectionPool.js';
import { socketio } from './socketio.js';

const numberSchema = {
  '~standard': {
    version: 1 as const,
    vendor: 'test',
    validate: (v: unknown) =>
      typeof v === 'number' ? { value: v } : { issues: [{ message: 'expected a number' }] },
  },
};

let servers: TestSocketServer[] = [];
let pools: ConnectionPool[] = [];

async function server(
  options?: Parameters<typeof startSocketServer>[0],
  stored?: Map<string, unknown>,
) {
  const s = await startSocketServer(options, stored);
  servers.push(s);
  return s;
}
function pool(url: string, options: Partial<PoolOptions> = {}) {
  const p = createPool({
    url,
    transport: socketio(),
    connectOnServer: true,
    idleTimeout: 50,
    ...options,
  });
  pools.push(p);
  return p;
}

afterEach(async () => {
  vi.restoreAllMocks();
  for (const p of pools) p.destroy();
  await Promise.all(servers.map((s) => s.stop().catch(() => {})));
  servers = [];
  pools = [];
});

/** The socket.io-client sockets the transport creates, in order. */
function watchSockets(): Socket[] {
  const sockets: Socket[] = [];
  const original = Manager.prototype.socket;
  vi.spyOn(Manager.prototype, 'socket').mockImplementation(function (this: Manager, ...args) {
    const socket = original.apply(this, args);
    if (!sockets.includes(socket)) sockets.push(socket);
    return socket;
  });
  return sockets;
}

/** Ack callbacks socket.io-client holds for replies it has not received. */
const pendingAcks = (socket: Socket | undefined) =>
  Object.keys((socket as unknown as { acks: object }).acks).length;

describe('socketio transport against a real Socket.IO server', () => {
  it('drops the ack callbacks of timed-out sends from the socket; a late reply resolves nothing', async () => {
    const s = await server();
    const held: Array<(reply: unknown) => void> = [];
    s.io.on('connection', (socket) =>
      socket.on('hold', (_d: unknown, _m: unknown, ack: (reply: unknown) => void) =>
        held.push(ack),
      ),
    );
    const sockets = watchSockets();
    const p = pool(s.url, { heartbeat: false });
    const { connection } = p.acquire('/');
    await until(() => connection.state === 'connected', 'connected');
    const timedOut = [1, 2, 3].map((n) =>
      connection
        .send('hold', n, { ack: true, timeout: 50, cid: `c${n}` })
        .catch((error: unknown) => error),
    );
    for (const outcome of await Promise.all(timedOut))
      expect(outcome).toMatchObject({ kind: 'timeout' });
    expect(sockets).toHaveLength(1);
    expect(pendingAcks(sockets[0])).toBe(0);
    // Resent under the same client id: the stale replies of the first writes must not settle it.
    await until(() => held.length === 3, 'the server holds three acks');
    const retry = connection.send('hold', 1, { ack: true, timeout: 5_000, cid: 'c1' });
    let settled: unknown = 'pending';
    void retry.then((value) => (settled = value));
    await until(() => held.length === 4, 'the resend reached the server');
    for (const ack of held.slice(0, 3)) ack('stale');
    await connection.send('echo', 'after the stale replies', { ack: true });
    expect(settled).toBe('pending');
    held[3]!('fresh');
    await expect(retry).resolves.toBe('fresh');
    expect(pendingAcks(sockets[0])).toBe(0);
    expect(connection.getSnapshot()).toMatchObject({ queued: 0, expired: 3 });
  });

  it('a fire-and-forget send after the engine ping expired (device slept) goes out on the next session', async () => {
    const s = await server();
    const p = pool(s.url, { heartbeat: false, backoff: { initialDelay: 10, jitter: 0 } });
    const { connection } = p.acquire('/');
    await until(() => connection.state === 'connected', 'connected');
    // The clock jumps a minute: Engine.IO's ping deadline has passed, its timer not yet run.
    const now = Date.now;
    vi.spyOn(Date, 'now').mockImplementation(() => now() + 60_000);
    const cid = connection.send('store', { text: 'after sleep' });
    expect(connection.getSnapshot()).toMatchObject({ messagesOut: 0, queued: 1 });
    await until(() => s.storeReceipts === 1, 'the message reached the server');
    expect(s.stored.get(cid)).toEqual({ text: 'after sleep' });
    expect(connection.getSnapshot()).toMatchObject({ messagesOut: 1, queued: 0 });
  });

  it('shares one socket for two leases of the same key', async () => {
    const s = await server();
    const p = pool(s.url);
    const a = p.acquire('/chat');
    const b = p.acquire('/chat');
    expect(a.connection).toBe(b.connection);
    await until(() => a.connection.state === 'connected', 'connected');
    expect(s.sockets).toBe(1);
    expect(s.handshakes).toBe(1);
    expect(p.getSnapshot().connections[0]?.refCount).toBe(2);
  });

  it("keys 'chat' and '/chat' (one namespace) get a socket each: neither disturbs the other", async () => {
    const s = await server();
    const p = pool(s.url, { connectTimeout: 2_000 });
    const bare = p.acquire('chat');
    const slashed = p.acquire('/chat');
    expect(bare.connection).not.toBe(slashed.connection);
    await until(
      () => bare.connection.state === 'connected' && slashed.connection.state === 'connected',
      'both connected',
    );
    expect(s.io.of('/chat').sockets.size).toBe(2);
    const got = { bare: [] as unknown[], slashed: [] as unknown[] };
    for (const event of ['news', 'echo']) {
      bare.connection.on(event, (d) => got.bare.push(d));
      slashed.connection.on(event, (d) => got.slashed.push(d));
    }
    s.io.of('/chat').emit('news', 1);
    // The server echoes to the sending socket only.
    expect(await bare.connection.send('echo', 'b', { ack: true })).toBe('b');
    expect(await slashed.connection.send('echo', 's', { ack: true })).toBe('s');
    await until(() => got.bare.length >= 2 && got.slashed.length >= 2, 'news and echoes');
    expect(got).toEqual({ bare: [1, 'b'], slashed: [1, 's'] });

    const states: string[] = [];
    slashed.connection.subscribe((snap) => snap.state !== 'connected' && states.push(snap.state));
    bare.connection.close();
    await until(() => s.io.of('/chat').sockets.size === 1, 'one socket left on the server');
    expect(await slashed.connection.send('echo', 'still here', { ack: true })).toBe('still here');
    expect(states).toEqual([]);
    expect(slashed.connection.state).toBe('connected');
  });

  it('a link whose shared engine went silent retries on a new Manager at once, not after Engine.IO notices', async () => {
    const s = await server(); // Engine.IO defaults: the client notices a dead engine after 45 s
    const sockets = watchSockets();
    const transport = socketio();
    // Two pools on one transport share its Manager; the second one has no heartbeat of its own.
    const watched = pool(s.url, {
      transport,
      heartbeat: { interval: 100, timeout: 100 },
      backoff: { initialDelay: 10, jitter: 0 },
      connectTimeout: 500,
    });
    const quiet = pool(s.url, { transport, heartbeat: false });
    const a = watched.acquire('/a').connection;
    const b = quiet.acquire('/b').connection;
    await until(() => a.state === 'connected' && b.state === 'connected', 'both connected');
    expect(s.engineConnections).toBe(1);
    const engine = sockets[0]!.io.engine as unknown as {
      transport: { ws: { _socket: { pause(): void; destroy(): void } } };
    };
    const tcp = engine.transport.ws._socket;
    try {
      // Half-open: the client reads nothing more from this TCP connection.
      tcp.pause();
      await until(() => a.state === 'reconnecting', "a's heartbeat declares the link dead");
      await until(() => a.state === 'connected', 'a reconnected', 3_000);
      expect(s.engineConnections).toBe(2);
      expect(await a.send('echo', 'alive', { ack: true })).toBe('alive');
    } finally {
      tcp.destroy(); // else the server's shutdown waits for a close handshake nobody reads
    }
  });

  it('uses socket.io by default, loading it on the first connect', async () => {
    const s = await server();
    const p = createPool({ url: s.url, connectOnServer: true, idleTimeout: 50 });
    pools.push(p);
    const { connection } = p.acquire('/default');
    await until(() => connection.state === 'connected', 'connected');
    expect(connection.getSnapshot().transport).toBe('socket.io');
    expect(s.sockets).toBe(1);
  });

  it('multiplexes two namespaces over one engine connection', async () => {
    const s = await server();
    const p = pool(s.url);
    const chat = p.acquire('/chat');
    const notify = p.acquire('/notify');
    await until(
      () => chat.connection.state === 'connected' && notify.connection.state === 'connected',
      'both connected',
    );
    expect(s.sockets).toBe(2);
    expect(s.engineConnections).toBe(1);
    expect(s.io.engine.clientsCount).toBe(1);
  });

  it('answers the first heartbeat of every namespace that connects at once', async () => {
    const s = await server();
    const p = pool(s.url, { heartbeat: { interval: 60_000, timeout: 2_000 } });
    const connections = ['/', '/chat', '/notify', '/presence'].map((k) => p.acquire(k).connection);
    // Each connection pings as soon as it connects; all four connect in the same tick.
    await until(
      () =>
        connections.every((c) => c.getSnapshot().rtt !== null) ||
        connections.some((c) => c.getSnapshot().error !== null),
      'every first pong, or a heartbeat failure',
    );
    expect(connections.map((c) => c.getSnapshot().error?.message ?? null)).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(connections.map((c) => c.state)).toEqual(Array(4).fill('connected'));
    expect(s.engineConnections).toBe(1);
  });

  it('disconnects on the server only after the idle grace period', async () => {
    const s = await server();
    const p = pool(s.url, { idleTimeout: 300 });
    const lease = p.acquire('/');
    await until(() => lease.connection.state === 'connected', 'connected');
    lease.release();
    expect(s.sockets).toBe(1);
    const releasedAt = Date.now();
    await until(() => s.sockets === 0, 'server-side disconnect');
    expect(Date.now() - releasedAt).toBeGreaterThanOrEqual(250);
    expect(p.getSnapshot().connections).toHaveLength(0);
    expect(lease.connection.state).toBe('closed');
  });

  it('reconnects with growing delays while the server is down, then delivers queued acked sends once', async () => {
    const stored = new Map<string, unknown>();
    const s1 = await server({}, stored);
    const p = pool(s1.url, {
      backoff: { initialDelay: 40, factor: 2, maxDelay: 320, jitter: 0 },
      heartbeat: false,
    });
    const { connection } = p.acquire('/');
    await until(() => connection.state === 'connected', 'connected');

    const delays: number[] = [];
    const off = connection.subscribe((snap: ConnectionSnapshot) => {
      if (snap.state === 'reconnecting' && snap.nextRetryAt !== null) {
        const delay = snap.nextRetryAt - Date.now();
        if (snap.attempt >= delays.length) delays.push(delay); // one per attempt: 0 (the drop), 1, 2, …
      }
    });
    const port = s1.port;
    await s1.stop();
    await until(() => connection.state === 'reconnecting', 'reconnecting');

    const replies = [1, 2, 3].map((n) =>
      connection.send('store', { n }, { ack: true, timeout: 20_000 }),
    );
    expect(connection.getSnapshot().queued).toBe(3);
    await until(() => delays.length >= 4, 'four scheduled retries');
    off();
    // Growing delays, within the scheduling slack of a real clock.
    for (let i = 1; i < delays.length; i++)
      expect(delays[i]!).toBeGreaterThan(delays[i - 1]! * 1.5);
    expect(Math.max(...delays)).toBeLessThanOrEqual(320);

    const s2 = await server({ port }, stored);
    await until(() => connection.state === 'connected', 'reconnected');
    const acks = (await Promise.all(replies)) as Array<{ ok: boolean; cid: string }>;
    expect(acks.every((a) => a.ok)).toBe(true);
    expect(stored.size).toBe(3);
    expect(s2.storeReceipts).toBe(3);
    expect([...stored.values()]).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(connection.getSnapshot().queued).toBe(0);
  });

  it('refuses an event name Socket.IO reserves with a typed error, without blocking the queue', async () => {
    const s = await server();
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const p = pool(s.url, { heartbeat: false });
      const { connection } = p.acquire('/');
      const states: string[] = [];
      connection.subscribe((snap) => states.push(snap.state));
      // Queued before the session exists: written by the flush on connect.
      const reserved = connection.send('disconnect', { bye: true }, { ack: true });
      const stored = connection.send('store', { text: 'after' }, { ack: true });
      let outcome: PromiseSettledResult<unknown>[] | undefined;
      void Promise.allSettled([reserved, stored]).then((settled) => (outcome = settled));
      await until(() => outcome !== undefined || uncaught.length > 0, 'both sends settled');
      expect(uncaught).toEqual([]);
      assert(outcome);
      expect(outcome[0]).toMatchObject({ status: 'rejected', reason: { kind: 'invalid' } });
      expect(outcome[1]).toMatchObject({ status: 'fulfilled', value: { ok: true } });
      expect(states).toContain('connected');
      expect(connection.getSnapshot()).toMatchObject({ queued: 0, dropped: 1 });
      // While connected, the caller gets the typed error at once.
      expect(() => connection.send('connect', 1)).toThrow(
        expect.objectContaining({ kind: 'invalid' }),
      );
      expect(() => connection.send('connect', 1, { volatile: true })).toThrow(
        expect.objectContaining({ kind: 'invalid' }),
      );
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('resends an unacked message after a drop with the same client id (stored once)', async () => {
    const s = await server();
    const p = pool(s.url, { backoff: { initialDelay: 20, jitter: 0 }, heartbeat: false });
    const { connection } = p.acquire('/');
    await until(() => connection.state === 'connected', 'connected');
    const reply = (await connection.send('store-then-drop', { text: 'once' }, { ack: true })) as {
      duplicate?: boolean;
    };
    expect(reply.duplicate).toBe(true);
    expect(s.storeReceipts).toBe(2);
    expect(s.stored.size).toBe(1);
  });

  it('stops after an unauthorized handshake (no retry storm) until reconnect() with a new token', async () => {
    const s = await server({ tokens: ['good'] });
    let token = 'bad';
    let authCalls = 0;
    const p = pool(s.url, {
      backoff: { initialDelay: 1, jitter: 0 },
      auth: () => {
        authCalls += 1;
        return token;
      },
    });
    const { connection } = p.acquire('/');
    await until(() => connection.state === 'failed', 'failed');
    const snap = connection.getSnapshot();
    expect(snap.error?.kind).toBe('unauthorized');
    expect(snap.timers).toBe(0); // nothing scheduled: no retry is coming
    expect(snap.nextRetryAt).toBeNull();
    expect(s.handshakes).toBe(1);
    expect(s.rejected).toBe(1);

    token = 'good';
    connection.reconnect();
    await until(() => connection.state === 'connected', 'connected with the new token');
    expect(authCalls).toBe(2);
    expect(s.handshakes).toBe(2);
  });

  it('calls the auth callback on every reconnect, so a refreshed token is used', async () => {
    const s = await server({ tokens: ['t1', 't2'] });
    const tokens = ['t1', 't2'];
    const seen: string[] = [];
    s.io.on('connection', (socket) =>
      seen.push((socket.handshake.auth as { token: string }).token),
    );
    const p = pool(s.url, {
      backoff: { initialDelay: 10, jitter: 0 },
      auth: () => ({ token: tokens.shift() }),
    });
    const { connection } = p.acquire('/');
    await until(() => seen.length === 1, 'first session');
    s.io.disconnectSockets(true);
    await until(() => seen.length === 2 && connection.state === 'connected', 'second session');
    expect(seen).toEqual(['t1', 't2']);
  });

  it('drops invalid inbound payloads, counts them, and never calls the handler', async () => {
    const s = await server();
    const p = pool(s.url, { schemas: { echo: numberSchema } });
    const { connection } = p.acquire('/');
    const received: unknown[] = [];
    const diagnostics: string[] = [];
    connection.on('echo', (n) => received.push(n));
    connection.onDiagnostic((d) => diagnostics.push(d.type));
    await until(() => connection.state === 'connected', 'connected');
    connection.send('echo', 'not a number');
    connection.send('echo', 7);
    await until(() => received.length === 1, 'valid echo');
    expect(received).toEqual([7]);
    expect(connection.getSnapshot().invalid).toBe(1);
    expect(diagnostics).toEqual(['invalid']);
  });

  it('measures RTT and counts messages and bytes both ways', async () => {
    const s = await server();
    const p = pool(s.url);
    const { connection } = p.acquire('/');
    await until(() => connection.getSnapshot().rtt !== null, 'first heartbeat');
    await connection.send('echo', { hello: 'world' }, { ack: true });
    await until(() => connection.getSnapshot().messagesIn >= 1, 'echo received');
    const snap = connection.getSnapshot();
    expect(snap.rtt).toBeGreaterThanOrEqual(0);
    expect(snap.messagesOut).toBeGreaterThanOrEqual(1);
    expect(snap.bytesOut).toBeGreaterThan(10);
    expect(snap.bytesIn).toBeGreaterThan(10);
  });

  it('counts bytesIn from the wire for every packet of a burst, per namespace, binary included', async () => {
    const s = await server();
    const p = pool(s.url, { heartbeat: false });
    const main = p.acquire('/').connection;
    const chat = p.acquire('/chat').connection;
    await until(() => main.state === 'connected' && chat.state === 'connected', 'both connected');
    const burst = 200;
    main.on('tick', () => {});
    chat.on('tick', () => {});
    chat.on('bin', () => {});
    // One synchronous burst to both namespaces: socket.io-client decodes a whole read chunk
    // before it dispatches any packet of it.
    const wire = { '/': 0, '/chat': 0 };
    for (let n = 0; n < burst; n++) {
      const payload = { seq: n, text: 'x'.repeat(n % 7) };
      s.io.of('/').emit('tick', payload);
      s.io.of('/chat').emit('tick', payload);
      // Engine.IO message data: packet type, namespace (unless '/'), then the JSON array.
      wire['/'] += `2${JSON.stringify(['tick', payload])}`.length;
      wire['/chat'] += `2/chat,${JSON.stringify(['tick', payload])}`.length;
    }
    // Binary: a header packet with a placeholder, then the attachment's bytes.
    s.io.of('/chat').emit('bin', Buffer.alloc(100));
    wire['/chat'] += `51-/chat,${JSON.stringify(['bin', { _placeholder: true, num: 0 }])}`.length;
    wire['/chat'] += 100;
    await until(
      () => main.getSnapshot().messagesIn === burst && chat.getSnapshot().messagesIn === burst + 1,
      'burst received',
    );
    expect(main.getSnapshot().bytesIn).toBe(wire['/']);
    expect(chat.getSnapshot().bytesIn).toBe(wire['/chat']);
  });

  it('reports a network error and keeps retrying when nothing listens', async () => {
    const s = await server();
    const port = s.port;
    await s.stop();
    servers = [];
    const p = pool(`http://127.0.0.1:${port}`, {
      backoff: { initialDelay: 5, jitter: 0 },
      maxAttempts: 3,
    });
    const { connection } = p.acquire('/');
    await until(() => connection.state === 'failed', 'failed after max attempts');
    expect(connection.getSnapshot().error?.kind).toBe('network');
    expect(connection.getSnapshot().attempt).toBe(3);
  });
});
