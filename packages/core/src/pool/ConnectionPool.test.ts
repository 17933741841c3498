import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WirekitError } from '../errors.js';
import type { Clock } from '../internal/clock.js';
import { NetworkStatus } from '../internal/network.js';
import { createMemoryServer, memory, type MemoryServer } from '../transports/memory.js';
import { socketio } from '../transports/socketio.js';
import type { Transport } from '../transports/types.js';
import {
  type ConnectionPool,
  createPool,
  type PoolOptions,
  type PoolSnapshot,
} from './ConnectionPool.js';

const pools: ConnectionPool[] = [];

function setup(options: PoolOptions = {}) {
  const server = createMemoryServer();
  const connects: string[] = [];
  const base = memory(server);
  const transport: Transport = {
    ...base,
    connect: (params) => (connects.push(params.key), base.connect(params)),
  };
  const pool = createPool({
    transport,
    url: 'memory://test',
    network: new NetworkStatus(),
    heartbeat: false,
    ...options,
  });
  pools.push(pool);
  return { pool, server, connects };
}

async function tick(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

function openPeers(server: MemoryServer, key?: string): number {
  return server.peers.filter((p) => !p.closed && (key === undefined || p.key === key)).length;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  for (const pool of pools.splice(0)) pool.destroy();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('ConnectionPool leases', () => {
  it('acquire twice with one key: the same connection, one server peer', async () => {
    const { pool, server, connects } = setup();
    const a = pool.acquire('/chat');
    const b = pool.acquire('/chat');
    expect(a.connection).toBe(b.connection);
    expect(a.key).toBe('/chat');
    await tick();
    expect(a.connection.state).toBe('connected');
    expect(openPeers(server)).toBe(1);
    expect(connects).toEqual(['/chat']);
    expect(pool.snapshot().connections).toHaveLength(1);
    expect(pool.snapshot().connections[0]?.refCount).toBe(2);
    expect(pool.snapshot().leases).toBe(2);
  });

  it('defaults the key to "/"', () => {
    const { pool } = setup();
    expect(pool.acquire().key).toBe('/');
    expect(pool.peek('/')).toBeDefined();
  });

  it('different keys get different connections', async () => {
    const { pool, server } = setup();
    const chat = pool.acquire('/chat');
    const news = pool.acquire('/news');
    expect(chat.connection).not.toBe(news.connection);
    await tick();
    expect(openPeers(server, '/chat')).toBe(1);
    expect(openPeers(server, '/news')).toBe(1);
    expect(pool.snapshot().connections.map((c) => c.key)).toEqual(['/chat', '/news']);
  });

  it('releasing one of two leases keeps the connection open', async () => {
    const { pool, server } = setup();
    const a = pool.acquire('/chat');
    const b = pool.acquire('/chat');
    await tick();
    a.release();
    expect(a.released).toBe(true);
    expect(b.released).toBe(false);
    await tick(60_000);
    expect(b.connection.state).toBe('connected');
    expect(openPeers(server)).toBe(1);
    expect(pool.snapshot().connections[0]).toMatchObject({ refCount: 1, idleSince: null });
  });

  it('the last release closes the connection only after idleTimeout', async () => {
    const { pool, server } = setup({ idleTimeout: 3_000 });
    const a = pool.acquire('/chat');
    const b = pool.acquire('/chat');
    await tick();
    a.release();
    b.release();
    expect(pool.snapshot().connections[0]).toMatchObject({
      refCount: 0,
      idleSince: Date.now(),
      state: 'connected',
    });
    await tick(2_999);
    expect(a.connection.state).toBe('connected');
    expect(openPeers(server)).toBe(1);
    await tick(1);
    expect(a.connection.state).toBe('closed');
    expect(openPeers(server)).toBe(0);
    expect(pool.snapshot().connections).toEqual([]);
    expect(pool.peek('/chat')).toBeUndefined();
  });

  it('defaults the grace period to 5 s', async () => {
    const { pool } = setup();
    const lease = pool.acquire('/chat');
    await tick();
    lease.release();
    await tick(4_999);
    expect(lease.connection.state).toBe('connected');
    await tick(1);
    expect(lease.connection.state).toBe('closed');
  });

  it('re-acquiring within the grace period reuses the connection, with no new peer', async () => {
    const { pool, server, connects } = setup({ idleTimeout: 3_000 });
    const first = pool.acquire('/chat');
    await tick();
    first.release();
    await tick(2_000);
    const second = pool.acquire('/chat');
    expect(second.connection).toBe(first.connection);
    expect(pool.snapshot().connections[0]).toMatchObject({ refCount: 1, idleSince: null });
    // The old idle timer is gone: nothing closes later.
    await tick(60_000);
    expect(second.connection.state).toBe('connected');
    expect(connects).toHaveLength(1);
    expect(server.peers).toHaveLength(1);
  });

  it('after the grace period a new acquire opens a fresh connection', async () => {
    const { pool, connects } = setup({ idleTimeout: 1_000 });
    const first = pool.acquire('/chat');
    await tick();
    first.release();
    await tick(1_000);
    const second = pool.acquire('/chat');
    expect(second.connection).not.toBe(first.connection);
    await tick();
    expect(second.connection.state).toBe('connected');
    expect(connects).toHaveLength(2);
  });

  it('releasing a lease twice is harmless', async () => {
    const { pool } = setup({ idleTimeout: 1_000 });
    const a = pool.acquire('/chat');
    const b = pool.acquire('/chat');
    await tick();
    a.release();
    a.release();
    a.release();
    expect(pool.snapshot().leases).toBe(1);
    await tick(10_000);
    expect(b.connection.state).toBe('connected');
    b.release();
    b.release();
    expect(pool.snapshot().leases).toBe(0);
    await tick(1_000);
    expect(pool.snapshot().connections).toHaveLength(0);
  });

  it('a stale lease from a closed connection cannot touch its successor', async () => {
    const { pool } = setup({ idleTimeout: 1_000 });
    const old = pool.acquire('/chat');
    const other = pool.acquire('/chat');
    await tick();
    old.release();
    other.release();
    await tick(1_000);
    const fresh = pool.acquire('/chat');
    other.release(); // already released: no-op
    expect(pool.snapshot().connections[0]?.refCount).toBe(1);
    expect(fresh.connection.state).not.toBe('closed');
  });

  it('a connection closed by hand is replaced on the next acquire, even while leases remain', async () => {
    const { pool, server } = setup({ idleTimeout: 1_000 });
    const held = pool.acquire('/chat');
    await tick();
    held.connection.close(); // e.g. a component closed it instead of releasing its lease
    const next = pool.acquire('/chat');
    expect(next.connection).not.toBe(held.connection);
    await tick();
    expect(next.connection.state).toBe('connected');
    expect(openPeers(server, '/chat')).toBe(1);
    held.release(); // the stale lease does not touch the new connection
    await tick(1_000);
    expect(next.connection.state).toBe('connected');
    expect(pool.snapshot()).toMatchObject({ leases: 1, connections: [{ refCount: 1 }] });
  });

  it('reconnectAll() reconnects every connection', async () => {
    const { pool, server, connects } = setup();
    pool.acquire('/a');
    pool.acquire('/b');
    await tick();
    pool.reconnectAll();
    await tick();
    expect(connects).toEqual(['/a', '/b', '/a', '/b']);
    expect(openPeers(server)).toBe(2);
  });

  it('passes the pool options on to its connections', async () => {
    const server = createMemoryServer({ authenticate: (auth) => auth?.token === 'secret' });
    const pool = createPool({
      transport: memory(server),
      auth: () => 'secret',
      network: new NetworkStatus(),
      heartbeat: false,
    });
    pools.push(pool);
    const lease = pool.acquire('/chat');
    await tick();
    expect(lease.connection.state).toBe('connected');
    expect(server.peers[0]?.auth).toEqual({ token: 'secret' });
  });
});

describe('ConnectionPool with an injected clock', () => {
  /** A clock that only moves when told to. */
  function manualClock() {
    let now = 0;
    let seq = 0;
    const pending = new Map<number, { at: number; callback: () => void }>();
    const clock: Clock = {
      now: () => now,
      setTimeout: (callback, ms) => (pending.set(++seq, { at: now + ms, callback }), seq),
      clearTimeout: (handle) => void pending.delete(handle as number),
    };
    const advance = (ms: number) => {
      now += ms;
      for (const [id, timer] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at > now || !pending.has(id)) continue;
        pending.delete(id);
        timer.callback();
      }
    };
    return { clock, advance, pending };
  }

  it('runs the idle grace period and the connections on the injected clock', async () => {
    const { clock, advance, pending } = manualClock();
    const { pool, server } = setup({ clock, idleTimeout: 2_000 });
    const lease = pool.acquire('/chat');
    await tick();
    expect(lease.connection.state).toBe('connected');
    expect(lease.connection.getSnapshot().connectedAt).toBe(0);
    lease.release();
    expect(pool.snapshot().connections[0]?.idleSince).toBe(0);
    expect(vi.getTimerCount()).toBe(0); // nothing on the global timers
    expect(pending.size).toBe(1);
    await tick(60_000); // global time does not matter
    expect(lease.connection.state).toBe('connected');
    advance(1_999);
    expect(lease.connection.state).toBe('connected');
    advance(1);
    expect(lease.connection.state).toBe('closed');
    expect(openPeers(server)).toBe(0);
    expect(pending.size).toBe(0);
  });
});

describe('ConnectionPool maxConnections', () => {
  it('warns once in dev when more connections than maxConnections are open', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { pool } = setup({ maxConnections: 2 });
    pool.acquire('/a');
    pool.acquire('/b');
    pool.acquire('/a');
    expect(warn).not.toHaveBeenCalled();
    pool.acquire('/c');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('maxConnections is 2');
    pool.acquire('/d');
    pool.acquire('/e');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('defaults maxConnections to 8', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { pool } = setup();
    for (let i = 0; i < 8; i++) pool.acquire(`/k${i}`);
    expect(warn).not.toHaveBeenCalled();
    pool.acquire('/k8');
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe('ConnectionPool destroy', () => {
  it('closes every connection, leases or not, and refuses new acquires', async () => {
    const { pool, server } = setup();
    const a = pool.acquire('/a');
    const b = pool.acquire('/b');
    b.release();
    await tick();
    expect(openPeers(server)).toBe(2);
    pool.destroy();
    await tick();
    expect(a.connection.state).toBe('closed');
    expect(b.connection.state).toBe('closed');
    expect(openPeers(server)).toBe(0);
    expect(pool.snapshot()).toMatchObject({
      destroyed: true,
      connections: [],
      leases: 0,
      timers: 0,
    });
    expect(() => pool.acquire('/a')).toThrow(WirekitError);
    expect(() => pool.acquire('/a')).toThrow(expect.objectContaining({ kind: 'closed' }));
    // Releasing after destroy, and destroying twice, are harmless.
    a.release();
    pool.destroy();
    await tick(60_000);
    expect(openPeers(server)).toBe(0);
  });
});

describe('ConnectionPool snapshots', () => {
  it('totals leases, listeners and timers across connections', async () => {
    const { pool } = setup({ idleTimeout: 1_000, heartbeat: { interval: 10_000, timeout: 1_000 } });
    const a = pool.acquire('/a');
    const a2 = pool.acquire('/a');
    const b = pool.acquire('/b');
    const offs = [
      a.connection.on('x', () => {}),
      a.connection.on('y', () => {}),
      b.connection.on('x', () => {}),
    ];
    await tick();
    let snap = pool.snapshot();
    expect(snap.leases).toBe(3);
    expect(snap.listeners).toBe(3);
    // Each connected connection runs its heartbeat's next-ping timer.
    expect(snap.timers).toBe(snap.connections.reduce((n, c) => n + c.timers, 0));
    expect(snap.timers).toBeGreaterThanOrEqual(2);

    for (const off of offs) off();
    a.release();
    a2.release();
    b.release();
    snap = pool.snapshot();
    expect(snap.leases).toBe(0);
    expect(snap.listeners).toBe(0);
    // Two idle timers of the pool on top of the connections' own.
    expect(snap.timers).toBe(2 + snap.connections.reduce((n, c) => n + c.timers, 0));

    await tick(1_000);
    expect(pool.snapshot()).toMatchObject({ connections: [], leases: 0, listeners: 0, timers: 0 });
  });

  it('is frozen, stable while nothing changes, and follows connection state without subscribers', async () => {
    const { pool, server } = setup();
    pool.acquire('/chat');
    const before = pool.getSnapshot();
    expect(Object.isFrozen(before)).toBe(true);
    expect(Object.isFrozen(before.connections)).toBe(true);
    expect(pool.getSnapshot()).toBe(before);
    expect(before.connections[0]?.state).toBe('connecting');
    await tick();
    const after = pool.getSnapshot();
    expect(after.connections[0]?.state).toBe('connected');
    expect(after).not.toBe(before);
    expect(pool.getSnapshot()).toBe(after);
    server.setAvailable(false);
    await tick();
    expect(pool.getSnapshot().connections[0]?.state).toBe('reconnecting');
  });

  it('notifies subscribers on pool and connection changes', async () => {
    const { pool, server } = setup({ idleTimeout: 1_000 });
    const seen: PoolSnapshot[] = [];
    const unsubscribe = pool.subscribe((s) => seen.push(s));
    const lease = pool.acquire('/chat');
    expect(seen.at(-1)?.leases).toBe(1);
    await tick();
    expect(seen.at(-1)?.connections[0]?.state).toBe('connected');
    expect(seen.at(-1)).toBe(pool.getSnapshot());
    server.setAvailable(false);
    await tick();
    expect(seen.at(-1)?.connections[0]?.state).toBe('reconnecting');
    lease.release();
    expect(seen.at(-1)?.leases).toBe(0);
    await tick(1_000);
    expect(seen.at(-1)?.connections).toEqual([]);

    // The pool's own subscription to a connection is counted while it listens…
    const again = pool.acquire('/chat');
    expect(again.connection.getSnapshot().listeners).toBe(1);
    const count = seen.length;
    unsubscribe();
    // …and dropped with the last pool subscriber.
    expect(again.connection.getSnapshot().listeners).toBe(0);
    await tick();
    expect(seen).toHaveLength(count);
  });

  it('a throwing subscriber does not break acquire, release or the others', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { pool } = setup({ idleTimeout: 100 });
    const seen: PoolSnapshot[] = [];
    pool.subscribe(() => {
      throw new Error('ui bug');
    });
    pool.subscribe((s) => seen.push(s));
    const lease = pool.acquire('/chat');
    await tick();
    expect(lease.connection.state).toBe('connected');
    lease.release();
    await tick(100);
    expect(seen.at(-1)?.connections).toEqual([]);
    expect(error).toHaveBeenCalled();
  });

  it('1,000 acquire/release cycles leave no listeners, timers or peers', async () => {
    const { pool, server } = setup({ idleTimeout: 100, heartbeat: { interval: 50, timeout: 20 } });
    const unsubscribe = pool.subscribe(() => {});
    for (let i = 0; i < 1_000; i++) {
      const lease = pool.acquire(`/room-${i % 7}`);
      const off = lease.connection.on('msg', () => {});
      if (i % 3 === 0) await tick(i % 2 === 0 ? 0 : 150);
      off();
      lease.release();
    }
    await tick(1_000);
    unsubscribe();
    expect(pool.snapshot()).toMatchObject({ connections: [], leases: 0, listeners: 0, timers: 0 });
    expect(server.peers).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('ConnectionPool on the server (SSR)', () => {
  it('a network transport stays idle and opens nothing without connectOnServer', async () => {
    const transport = socketio();
    const connect = vi.spyOn(transport, 'connect');
    const pool = createPool({ transport, url: 'http://127.0.0.1:9' });
    pools.push(pool);
    const lease = pool.acquire('/chat');
    lease.connection.send('queued', 1);
    await tick(60_000);
    expect(lease.connection.state).toBe('idle');
    expect(connect).not.toHaveBeenCalled();
    expect(pool.snapshot().connections[0]).toMatchObject({
      state: 'idle',
      attempt: 0,
      queued: 1,
      timers: 0,
    });
    lease.connection.reconnect();
    expect(lease.connection.state).toBe('idle');
    expect(connect).not.toHaveBeenCalled();
  });

  it('the default transport is inert too', async () => {
    const pool = createPool({ url: 'http://127.0.0.1:9' });
    pools.push(pool);
    const lease = pool.acquire('/chat');
    await tick(60_000);
    expect(lease.connection.state).toBe('idle');
    expect(lease.connection.getSnapshot().transport).toBe('socket.io');
  });

  it('connectOnServer lets a network transport try', async () => {
    const transport: Transport = {
      name: 'fake-network',
      canSend: true,
      canPing: false,
      connect: vi.fn(() => ({
        send: () => -1,
        sendVolatile: () => true,
        ping: () => {},
        close: () => {},
      })),
    };
    const pool = createPool({ transport, url: 'http://127.0.0.1:9', connectOnServer: true });
    pools.push(pool);
    const lease = pool.acquire('/chat');
    expect(lease.connection.state).toBe('connecting');
    await tick();
    expect(transport.connect).toHaveBeenCalledTimes(1);
  });

  it('the memory transport still connects on the server', async () => {
    const { pool } = setup();
    const lease = pool.acquire('/chat');
    await tick();
    expect(lease.connection.state).toBe('connected');
  });
});
