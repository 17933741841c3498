import type { StandardSchemaV1 } from '@standard-schema/spec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WirekitError } from '../errors.js';
import { type Clock, systemClock } from '../internal/clock.js';
import { NetworkStatus } from '../internal/network.js';
import {
  createMemoryServer,
  memory,
  type MemoryPeer,
  type MemoryServer,
  type MemoryServerOptions,
} from '../transports/memory.js';
import type { LinkParams, Transport, TransportLink } from '../transports/types.js';
import { Connection } from './Connection.js';
import type { ConnectionOptions, ConnectionSnapshot, Diagnostic } from './types.js';

/** A network signal the test can flip (the real one listens to `window`). */
class TestNetwork extends NetworkStatus {
  emit(online: boolean): void {
    for (const listener of [...this.listeners]) listener(online);
  }
}

/** A transport that counts attempts and can be told to misbehave. */
interface Harness {
  server: MemoryServer;
  connection: Connection;
  network: TestNetwork;
  /** Every connect attempt that reached the transport. */
  attempts: LinkParams[];
  /** Peers the server accepted, in order. */
  peers: MemoryPeer[];
  /**
   * Links the transport handed out; `closed` flips when the connection closes them,
   * `closedWith` is the error it passed; `forgotten` counts the ack callbacks it told the link
   * to drop.
   */
  links: Array<{
    params: LinkParams;
    closed: boolean;
    closedWith?: WirekitError;
    forgotten: number;
  }>;
  diagnostics: Diagnostic[];
}

interface TransportQuirks {
  /** The link's `ping` is a no-op while this returns true. */
  silentPing?: () => boolean;
  /** The link's `send` throws for these events (as Socket.IO does for its reserved names). */
  refuse?: (event: string) => boolean;
}

const open: Connection[] = [];

function setup(
  options: Partial<ConnectionOptions> = {},
  serverOptions: MemoryServerOptions = {},
  quirks: TransportQuirks = {},
): Harness {
  const server = createMemoryServer(serverOptions);
  const peers: MemoryPeer[] = [];
  server.onConnection((peer) => peers.push(peer));
  const base = memory(server);
  const attempts: LinkParams[] = [];
  const links: Harness['links'] = [];
  const transport: Transport = {
    ...base,
    connect(params) {
      attempts.push(params);
      const record: Harness['links'][number] = { params, closed: false, forgotten: 0 };
      links.push(record);
      const link = base.connect(params);
      return {
        send: (...args) => {
          if (quirks.refuse?.(args[0])) throw new Error(`"${args[0]}" is reserved`);
          return link.send(...args);
        },
        sendVolatile: (...args) => {
          if (quirks.refuse?.(args[0])) throw new Error(`"${args[0]}" is reserved`);
          return link.sendVolatile(...args);
        },
        ping: (onPong) => {
          if (!quirks.silentPing?.()) link.ping(onPong);
        },
        forget: (onAck) => {
          record.forgotten += 1;
          link.forget?.(onAck);
        },
        close: (error) => {
          record.closed = true;
          record.closedWith = error;
          link.close(error);
        },
      };
    },
  };
  const network = new TestNetwork();
  const connection = new Connection({
    key: '/chat',
    url: 'memory://test',
    transport,
    network,
    random: () => 0.5, // jitter lands on the middle: delays are exact
    heartbeat: false,
    backoff: { initialDelay: 100, factor: 2, maxDelay: 1_000, jitter: 0.5 },
    ...options,
  });
  open.push(connection);
  const diagnostics: Diagnostic[] = [];
  connection.onDiagnostic((d) => diagnostics.push(d));
  return { server, connection, network, attempts, peers, links, diagnostics };
}

/** Lets queued microtasks (memory transport hops) and due timers run. */
async function tick(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

/** Follows a promise without making its rejection unhandled. */
function track<T>(promise: Promise<T>) {
  const result: { status: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = {
    status: 'pending',
  };
  promise.then(
    (value) => Object.assign(result, { status: 'resolved', value }),
    (error: unknown) => Object.assign(result, { status: 'rejected', error }),
  );
  return result;
}

function kindOf(error: unknown): string | undefined {
  return error instanceof WirekitError ? error.kind : undefined;
}

const numberSchema: StandardSchemaV1<unknown, number> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (value) =>
      typeof value === 'number' ? { value } : { issues: [{ message: 'not a number' }] },
  },
};

/** A server that counts the messages it handled by client id and acks each delivery. */
function dedupingServer(server: MemoryServer, event: string) {
  const deliveries: string[] = [];
  const handled = new Map<string, unknown>();
  server.onConnection((peer) =>
    peer.on(event, (data, meta, ack) => {
      const cid = meta?.cid ?? '';
      deliveries.push(cid);
      if (!handled.has(cid)) handled.set(cid, data);
      ack?.({ ok: true, cid });
    }),
  );
  return { deliveries, handled };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  for (const connection of open.splice(0)) connection.close();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('Connection lifecycle', () => {
  it('starts idle with an empty, frozen snapshot', () => {
    const { connection } = setup();
    const snap = connection.getSnapshot();
    expect(snap).toMatchObject({
      key: '/chat',
      transport: 'memory',
      state: 'idle',
      attempt: 0,
      nextRetryAt: null,
      error: null,
      rtt: null,
      queued: 0,
      messagesIn: 0,
      messagesOut: 0,
      connectedAt: null,
      timers: 0,
    });
    expect(Object.isFrozen(snap)).toBe(true);
  });

  it('goes idle → connecting → connected and notifies subscribers of each state', async () => {
    const { connection, attempts, peers } = setup();
    const states: string[] = [];
    connection.subscribe((s) => states.push(s.state));
    connection.open();
    expect(connection.state).toBe('connecting');
    expect(connection.getSnapshot().attempt).toBe(1);
    await tick();
    expect(connection.state).toBe('connected');
    expect(states).toEqual(['connecting', 'connected']);
    expect(connection.getSnapshot()).toMatchObject({
      attempt: 0,
      error: null,
      connectedAt: Date.now(),
    });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ key: '/chat', url: 'memory://test', auth: undefined });
    expect(peers).toHaveLength(1);
  });

  it('open() twice opens one link', async () => {
    const { connection, attempts } = setup();
    connection.open();
    connection.open();
    await tick();
    connection.open();
    expect(attempts).toHaveLength(1);
  });

  it('stays idle when inert (SSR) and never reaches the transport', async () => {
    const { connection, attempts, network } = setup({ inert: true });
    connection.open();
    connection.reconnect();
    await tick(60_000);
    expect(connection.state).toBe('idle');
    expect(attempts).toHaveLength(0);
    expect(network.hasListeners()).toBe(false);
  });

  it('uses the injected clock for time and timers', async () => {
    const offset = 5_000_000;
    const setTimeoutSpy = vi.fn(systemClock.setTimeout);
    const clock: Clock = {
      now: () => Date.now() + offset,
      setTimeout: setTimeoutSpy,
      clearTimeout: systemClock.clearTimeout,
    };
    const { connection, server } = setup({ clock });
    server.setAvailable(false);
    connection.open();
    await tick();
    expect(connection.getSnapshot().nextRetryAt).toBe(Date.now() + offset + 100);
    expect(setTimeoutSpy).toHaveBeenCalledWith(expect.any(Function), 100);
    server.setAvailable(true);
    await tick(100);
    expect(connection.getSnapshot().connectedAt).toBe(Date.now() + offset);
  });

  it('reconnects with growing backoff delays after the server goes away', async () => {
    const { connection, server, attempts } = setup();
    connection.open();
    await tick();
    server.setAvailable(false);
    await tick();
    expect(connection.state).toBe('reconnecting');
    expect(connection.getSnapshot().error?.kind).toBe('network');
    expect(connection.getSnapshot().connectedAt).toBeNull();

    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const { nextRetryAt } = connection.getSnapshot();
      expect(nextRetryAt).not.toBeNull();
      const delay = (nextRetryAt ?? 0) - Date.now();
      delays.push(delay);
      await tick(delay - 1);
      expect(attempts).toHaveLength(1 + i); // not yet
      await tick(1);
      expect(attempts).toHaveLength(2 + i);
      expect(connection.getSnapshot().attempt).toBe(1 + i);
    }
    // initialDelay 100, factor 2, capped at 1000; random 0.5 sits on the un-jittered delay.
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('uses the same delays when the very first attempt fails', async () => {
    const { connection, server } = setup();
    server.setAvailable(false);
    connection.open();
    await tick();
    expect(connection.state).toBe('reconnecting');
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const delay = (connection.getSnapshot().nextRetryAt ?? 0) - Date.now();
      delays.push(delay);
      await tick(delay);
    }
    expect(delays).toEqual([100, 200, 400]);
  });

  it('comes back to connected when the server does, and resets the attempt count', async () => {
    const { connection, server, peers } = setup();
    connection.open();
    await tick();
    server.setAvailable(false);
    await tick(100 + 200); // two failed retries
    expect(connection.getSnapshot().attempt).toBe(2);
    server.setAvailable(true);
    await tick(400);
    expect(connection.state).toBe('connected');
    expect(connection.getSnapshot()).toMatchObject({ attempt: 0, nextRetryAt: null, error: null });
    expect(peers).toHaveLength(2);
  });

  it('keeps climbing the backoff while sessions die at once; one that stays up resets it', async () => {
    const { connection, server, attempts } = setup();
    let lifetime = 0; // how long the server keeps a session before closing it
    server.onConnection((peer) => {
      const close = () => peer.close('crash');
      if (lifetime === 0) queueMicrotask(close);
      else setTimeout(close, lifetime);
    });
    connection.open();
    await tick();
    const delays: number[] = [];
    const nextDelay = () => (connection.getSnapshot().nextRetryAt ?? 0) - Date.now();
    for (let i = 0; i < 5; i++) {
      await tick(); // the session opens and is closed at once
      expect(connection.state).toBe('reconnecting');
      delays.push(nextDelay());
      if (i === 4) lifetime = 5_000; // the next session stays up for minUptime (default 5 s)
      await tick(delays.at(-1));
    }
    // Each session opened (attempt resets), but the delays grew as if the attempts had failed.
    expect(delays).toEqual([100, 200, 400, 800, 1_000]);
    expect(attempts).toHaveLength(6);
    expect(connection.state).toBe('connected');
    await tick(5_000);
    // It lasted minUptime: the next drop starts over at step 1.
    expect(connection.state).toBe('reconnecting');
    expect(nextDelay()).toBe(100);

    // Shorter than minUptime: no reset.
    lifetime = 4_999;
    await tick(100);
    expect(connection.state).toBe('connected');
    await tick(4_999);
    expect(nextDelay()).toBe(200);
  });

  it('gives up after maxAttempts with `failed`, and stops trying', async () => {
    const { connection, server, attempts } = setup({ maxAttempts: 3 });
    server.setAvailable(false);
    connection.open();
    await tick(10_000);
    expect(connection.state).toBe('failed');
    expect(attempts).toHaveLength(3);
    expect(connection.getSnapshot()).toMatchObject({ nextRetryAt: null, timers: 0 });
    expect(connection.getSnapshot().error?.kind).toBe('network');
    await tick(10 * 60_000);
    expect(attempts).toHaveLength(3);
  });

  it('counts maxAttempts from the last success after a drop', async () => {
    const { connection, server, attempts } = setup({ maxAttempts: 2 });
    connection.open();
    await tick();
    server.setAvailable(false);
    await tick(60_000);
    expect(connection.state).toBe('failed');
    expect(attempts).toHaveLength(1 + 2);
  });

  it('reconnect() after failed starts over and connects', async () => {
    const { connection, server, attempts } = setup({ maxAttempts: 1 });
    server.setAvailable(false);
    connection.open();
    await tick();
    expect(connection.state).toBe('failed');
    server.setAvailable(true);
    connection.reconnect();
    expect(connection.state).toBe('reconnecting');
    expect(connection.getSnapshot().attempt).toBe(1);
    await tick();
    expect(connection.state).toBe('connected');
    expect(attempts).toHaveLength(2);
  });

  it('reconnect() while connected replaces the session', async () => {
    const { connection, peers } = setup();
    connection.open();
    await tick();
    connection.reconnect();
    await tick();
    expect(connection.state).toBe('connected');
    expect(peers).toHaveLength(2);
    expect(peers[0]?.closed).toBe(true);
    expect(peers[1]?.closed).toBe(false);
  });

  it('reconnect() while waiting for a retry connects at once, without a second link later', async () => {
    const { connection, server, attempts } = setup();
    server.setAvailable(false);
    connection.open();
    await tick();
    server.setAvailable(true);
    connection.reconnect();
    await tick();
    expect(connection.state).toBe('connected');
    await tick(10_000);
    expect(attempts).toHaveLength(2);
  });

  it('a server-side close is a `server` error and is retried', async () => {
    const { connection, peers } = setup();
    connection.open();
    await tick();
    peers[0]?.close('bye');
    await tick();
    expect(connection.state).toBe('reconnecting');
    expect(connection.getSnapshot().error).toMatchObject({ kind: 'server', message: 'bye' });
    await tick(100);
    expect(connection.state).toBe('connected');
  });
});

describe('Connection auth', () => {
  it('stops on an unauthorized handshake: `failed`, no retry storm', async () => {
    const authenticate = vi.fn(() => false);
    const { connection, peers } = setup({ auth: () => 'bad' }, { authenticate });
    connection.open();
    await tick();
    expect(connection.state).toBe('failed');
    expect(connection.getSnapshot().error?.kind).toBe('unauthorized');
    expect(connection.getSnapshot().nextRetryAt).toBeNull();
    await tick(60 * 60_000);
    expect(authenticate).toHaveBeenCalledTimes(1);
    expect(peers).toHaveLength(0);
  });

  it('unauthorized is final even in the middle of a reconnect series', async () => {
    let accept = true;
    const authenticate = vi.fn(() => accept);
    const { connection, server } = setup({ auth: () => 't' }, { authenticate });
    connection.open();
    await tick();
    server.setAvailable(false);
    await tick(100); // one failed retry
    accept = false;
    server.setAvailable(true);
    await tick(200);
    expect(connection.state).toBe('failed');
    const calls = authenticate.mock.calls.length;
    await tick(60 * 60_000);
    expect(authenticate).toHaveBeenCalledTimes(calls);
  });

  it('calls the auth callback on every attempt, so a refreshed token is used', async () => {
    let n = 0;
    const auth = vi.fn(() => `token-${++n}`);
    const authenticate = vi.fn((a: Record<string, unknown> | undefined) => a?.token !== 'token-1');
    const { connection, peers, attempts } = setup({ auth }, { authenticate });
    connection.open();
    await tick();
    expect(connection.state).toBe('failed');
    connection.reconnect();
    await tick();
    expect(connection.state).toBe('connected');
    expect(auth).toHaveBeenCalledTimes(2);
    expect(attempts.map((a) => a.auth)).toEqual([{ token: 'token-1' }, { token: 'token-2' }]);
    expect(peers[0]?.auth).toEqual({ token: 'token-2' });
    // Never in the URL.
    expect(attempts.every((a) => !a.url.includes('token'))).toBe(true);
  });

  it('calls it again on automatic retries too, and passes objects through', async () => {
    let n = 0;
    const auth = vi.fn(async () => ({ jwt: `jwt-${++n}`, room: 'a' }));
    const { connection, server, attempts } = setup({ auth });
    server.setAvailable(false);
    connection.open();
    await tick(100 + 200);
    expect(auth).toHaveBeenCalledTimes(3);
    expect(attempts.map((a) => a.auth)).toEqual([
      { jwt: 'jwt-1', room: 'a' },
      { jwt: 'jwt-2', room: 'a' },
      { jwt: 'jwt-3', room: 'a' },
    ]);
  });

  it('an auth callback returning null means signed out: unauthorized, nothing sent', async () => {
    const auth = vi.fn(() => null);
    const { connection, attempts } = setup({ auth });
    connection.open();
    await tick(60_000);
    expect(connection.state).toBe('failed');
    expect(connection.getSnapshot().error?.kind).toBe('unauthorized');
    expect(auth).toHaveBeenCalledTimes(1);
    expect(attempts).toHaveLength(0);
  });

  it('an auth callback that throws is a retryable network error', async () => {
    let fail = true;
    const auth = vi.fn(() => {
      if (fail) throw new Error('refresh endpoint down');
      return 'ok';
    });
    const { connection } = setup({ auth });
    connection.open();
    await tick();
    expect(connection.state).toBe('reconnecting');
    expect(connection.getSnapshot().error).toMatchObject({ kind: 'network' });
    expect((connection.getSnapshot().error?.cause as Error).message).toBe('refresh endpoint down');
    fail = false;
    await tick(100);
    expect(connection.state).toBe('connected');
  });

  it('an auth callback that never settles is bounded by the connect timeout', async () => {
    let n = 0;
    const auth = () => (++n === 1 ? new Promise<string>(() => {}) : 'ok');
    const { connection } = setup({ auth, connectTimeout: 1_000 });
    connection.open();
    await tick(999);
    expect(connection.state).toBe('connecting');
    await tick(1);
    expect(connection.state).toBe('reconnecting');
    expect(connection.getSnapshot().error?.kind).toBe('timeout');
    await tick(100);
    expect(connection.state).toBe('connected');
  });

  it('close() during a pending auth callback opens nothing', async () => {
    let resolve: (token: string) => void = () => {};
    const auth = () => new Promise<string>((r) => (resolve = r));
    const { connection, attempts } = setup({ auth });
    connection.open();
    connection.close();
    resolve('late');
    await tick();
    expect(attempts).toHaveLength(0);
    expect(connection.state).toBe('closed');
  });
});

/** A transport whose links never open: the handshake hangs forever. */
function hangingTransport() {
  const links: Array<{ params: LinkParams; closed: boolean }> = [];
  const transport: Transport = {
    name: 'hanging',
    canSend: true,
    canPing: true,
    local: true,
    connect(params): TransportLink {
      const record = { params, closed: false, forgotten: 0 };
      links.push(record);
      return {
        send: () => -1,
        sendVolatile: () => true,
        ping: () => {},
        close: () => {
          record.closed = true;
        },
      };
    },
  };
  return { transport, links };
}

describe('Connection timeouts and heartbeat', () => {
  it('a handshake that never completes times out, closes the link and retries', async () => {
    const { transport, links } = hangingTransport();
    const connection = new Connection({
      key: '/',
      url: 'x://',
      transport,
      network: new TestNetwork(),
      connectTimeout: 2_000,
      random: () => 0.5,
      backoff: { initialDelay: 300, jitter: 0.5 },
    });
    open.push(connection);
    connection.open();
    await tick(1_999);
    expect(connection.state).toBe('connecting');
    await tick(1);
    expect(connection.state).toBe('reconnecting');
    expect(connection.getSnapshot().error?.kind).toBe('timeout');
    expect(links[0]?.closed).toBe(true);
    expect(links[0]?.params.timeout).toBe(2_000);
    await tick(300);
    expect(links).toHaveLength(2);
    expect(connection.getSnapshot().attempt).toBe(2);
  });

  it('defaults the connect timeout to 10 s', async () => {
    const { transport, links } = hangingTransport();
    const connection = new Connection({
      key: '/',
      url: 'x://',
      transport,
      network: new TestNetwork(),
    });
    open.push(connection);
    connection.open();
    await tick(9_999);
    expect(connection.state).toBe('connecting');
    await tick(1);
    expect(connection.state).toBe('reconnecting');
    expect(links[0]?.closed).toBe(true);
  });

  it('records the heartbeat RTT', async () => {
    const { connection, server } = setup({ heartbeat: { interval: 1_000, timeout: 500 } });
    connection.open();
    await tick();
    expect(connection.getSnapshot().rtt).toBe(0);
    server.setLatency(15);
    await tick(1_000 + 30);
    expect(connection.getSnapshot().rtt).toBe(30);
    expect(connection.state).toBe('connected');
  });

  it('a ping that is never answered reconnects within interval + timeout', async () => {
    let silent = false;
    const { connection, attempts, links } = setup(
      { heartbeat: { interval: 1_000, timeout: 400 } },
      {},
      { silentPing: () => silent },
    );
    connection.open();
    await tick();
    expect(connection.state).toBe('connected');
    silent = true; // half-open link: the socket looks fine, nothing comes back
    await tick(1_000 + 399);
    expect(connection.state).toBe('connected');
    await tick(1);
    expect(connection.state).toBe('reconnecting');
    expect(connection.getSnapshot().error?.kind).toBe('timeout');
    expect(links[0]?.closed).toBe(true);
    silent = false;
    await tick(100);
    expect(connection.state).toBe('connected');
    expect(attempts).toHaveLength(2);
  });

  it('tells the link why it gave up on it (heartbeat), but not when closed or replaced by hand', async () => {
    let silent = false;
    const { connection, links } = setup(
      { heartbeat: { interval: 1_000, timeout: 100 } },
      {},
      { silentPing: () => silent },
    );
    connection.open();
    await tick();
    connection.reconnect();
    await tick();
    expect(links[0]).toMatchObject({ closed: true, closedWith: undefined });
    silent = true;
    await tick(1_100);
    expect(links[1]).toMatchObject({ closed: true, closedWith: { kind: 'timeout' } });
    silent = false;
    await tick(1_000);
    expect(connection.state).toBe('connected');
    connection.close();
    expect(links[2]).toMatchObject({ closed: true, closedWith: undefined });
  });

  it('a link whose ping never answers from the start is dropped after `timeout`', async () => {
    const { connection } = setup(
      { heartbeat: { interval: 25_000, timeout: 10_000 } },
      {},
      { silentPing: () => true },
    );
    connection.open();
    await tick(9_999);
    expect(connection.state).toBe('connected');
    await tick(1);
    expect(connection.state).toBe('reconnecting');
  });

  it('heartbeat: false runs no timers while connected', async () => {
    const { connection } = setup({ heartbeat: false });
    connection.open();
    await tick();
    expect(connection.getSnapshot().timers).toBe(0);
  });

  it('a transport that opens synchronously still flushes the queue and pings', async () => {
    const received: unknown[] = [];
    let pings = 0;
    const transport: Transport = {
      name: 'sync',
      canSend: true,
      canPing: true,
      local: true,
      connect({ handlers }) {
        handlers.onOpen();
        return {
          send: (_event, data) => (received.push(data), -1),
          sendVolatile: () => true,
          ping: (onPong) => {
            pings += 1;
            onPong();
          },
          close: () => {},
        };
      },
    };
    const connection = new Connection({
      key: '/',
      url: 'x://',
      transport,
      network: new TestNetwork(),
      heartbeat: { interval: 1_000, timeout: 100 },
    });
    open.push(connection);
    connection.send('a', 1);
    connection.send('b', 2);
    connection.open();
    expect(connection.state).toBe('connected');
    expect(received).toEqual([1, 2]);
    expect(connection.getSnapshot().queued).toBe(0);
    expect(pings).toBe(1);
    await tick(5_000);
    expect(connection.state).toBe('connected');
    expect(pings).toBe(6);
  });
});

describe('Connection send and outbox', () => {
  it('queues sends while disconnected and flushes them in order on connect', async () => {
    const { connection, server } = setup();
    const got: Array<[string, unknown, string | undefined]> = [];
    server.onConnection((peer) =>
      peer.onAny((event, data, meta) => got.push([event, data, meta?.cid])),
    );
    const cids = [
      connection.send('a', 1),
      connection.send('b', { two: 2 }),
      connection.send('c', 'three'),
    ];
    expect(new Set(cids).size).toBe(3);
    expect(cids.every((cid) => typeof cid === 'string' && cid.length > 0)).toBe(true);
    expect(connection.getSnapshot()).toMatchObject({ queued: 3, messagesOut: 0 });
    connection.open();
    await tick();
    expect(got).toEqual([
      ['a', 1, cids[0]],
      ['b', { two: 2 }, cids[1]],
      ['c', 'three', cids[2]],
    ]);
    expect(connection.getSnapshot()).toMatchObject({ queued: 0, queuedBytes: 0, messagesOut: 3 });
  });

  it('writes straight through while connected and counts bytes out', async () => {
    const { connection, server } = setup();
    const got: unknown[] = [];
    server.onConnection((peer) => peer.on('msg', (data) => got.push(data)));
    connection.open();
    await tick();
    connection.send('msg', 'hello');
    connection.send('msg', { a: 1 });
    await tick();
    expect(got).toEqual(['hello', { a: 1 }]);
    expect(connection.getSnapshot()).toMatchObject({
      queued: 0,
      messagesOut: 2,
      bytesOut: 'hello'.length + JSON.stringify({ a: 1 }).length,
    });
  });

  it('a fire-and-forget send while the link is closing stays queued, uncounted, and goes out on the next session', async () => {
    const { connection, server } = setup();
    const got: unknown[] = [];
    server.onConnection((peer) => peer.on('msg', (data) => got.push(data)));
    connection.open();
    await tick();
    server.setAvailable(false); // the link is closed; its onClose is one hop away
    expect(connection.state).toBe('connected');
    connection.send('msg', 'during the close');
    connection.send('msg', 'right after');
    expect(connection.getSnapshot()).toMatchObject({ messagesOut: 0, queued: 2 });
    await tick();
    expect(connection.state).toBe('reconnecting');
    server.setAvailable(true);
    await tick(1_000);
    expect(connection.state).toBe('connected');
    expect(got).toEqual(['during the close', 'right after']);
    expect(connection.getSnapshot()).toMatchObject({ messagesOut: 2, queued: 0 });
  });

  it('resolves an acked send with the server reply', async () => {
    const { connection, server } = setup();
    server.onConnection((peer) => peer.on('echo', (data, _meta, ack) => ack?.({ echoed: data })));
    connection.open();
    await tick();
    const reply = connection.send('echo', 'hi', { ack: true });
    expect(connection.getSnapshot().queued).toBe(1); // held until acked
    await expect(reply).resolves.toEqual({ echoed: 'hi' });
    expect(connection.getSnapshot().queued).toBe(0);
  });

  it('an acked send made while offline is delivered and resolved after connecting', async () => {
    const { connection, server } = setup();
    server.onConnection((peer) => peer.on('echo', (data, _meta, ack) => ack?.(data)));
    const reply = track(connection.send('echo', 42, { ack: true }));
    connection.open();
    await tick();
    expect(reply).toMatchObject({ status: 'resolved', value: 42 });
  });

  it('resends an un-acked message after a reconnect with the same client id, resolving once', async () => {
    const { connection, server, peers } = setup();
    const { deliveries, handled } = dedupingServer(server, 'save');
    let dropFirst = true;
    server.onConnection((peer) =>
      peer.on('save', () => {
        // The first delivery is processed, but the link dies before the ack gets back.
        if (dropFirst) {
          dropFirst = false;
          peer.close('crash');
        }
      }),
    );
    connection.open();
    await tick();
    const onResolve = vi.fn();
    const reply = connection.send('save', { text: 'once' }, { ack: true });
    void reply.then(onResolve);
    await tick();
    expect(connection.state).toBe('reconnecting');
    expect(connection.getSnapshot().queued).toBe(1);
    await tick(100);
    expect(connection.state).toBe('connected');
    expect(peers).toHaveLength(2);
    expect(deliveries).toHaveLength(2);
    expect(deliveries[0]).toBe(deliveries[1]); // same cid: the server can deduplicate
    expect(handled.size).toBe(1); // delivered once in effect
    expect(onResolve).toHaveBeenCalledTimes(1);
    expect(onResolve).toHaveBeenCalledWith({ ok: true, cid: deliveries[0] });
    expect(connection.getSnapshot().queued).toBe(0);
    // And nothing is resent on later reconnects.
    connection.reconnect();
    await tick();
    expect(deliveries).toHaveLength(2);
  });

  it('keeps resending across several drops until acked', async () => {
    const { connection, server } = setup();
    const { deliveries } = dedupingServer(server, 'save');
    connection.open();
    await tick();
    server.setAvailable(false);
    await tick();
    const reply = track(connection.send('save', 1, { ack: true, timeout: 60_000 }));
    await tick(100 + 200 + 400);
    expect(reply.status).toBe('pending');
    expect(deliveries).toHaveLength(0);
    server.setAvailable(true);
    await tick(800);
    expect(connection.state).toBe('connected');
    expect(reply.status).toBe('resolved');
    expect(deliveries).toHaveLength(1);
  });

  it('an ack timeout rejects with `timeout`, counts `expired` and reports it', async () => {
    const { connection, server, diagnostics } = setup();
    const got: string[] = [];
    server.onConnection((peer) => peer.on('slow', (_d, meta) => got.push(meta?.cid ?? '')));
    connection.open();
    await tick();
    const reply = track(connection.send('slow', 'x', { ack: true, timeout: 5_000 }));
    await tick(4_999);
    expect(reply.status).toBe('pending');
    await tick(1);
    expect(reply.status).toBe('rejected');
    expect(kindOf(reply.error)).toBe('timeout');
    expect(connection.getSnapshot()).toMatchObject({ expired: 1, queued: 0 });
    expect(diagnostics).toEqual([
      { type: 'expired', message: expect.objectContaining({ event: 'slow' }) },
    ]);
    expect(got).toHaveLength(1);
  });

  it('the ack deadline runs across reconnects, and a late ack is ignored', async () => {
    const { connection, server } = setup({ ackTimeout: 1_000 });
    const acks: Array<(reply: unknown) => void> = [];
    server.onConnection((peer) => peer.on('x', (_d, _m, ack) => ack && acks.push(ack)));
    server.setAvailable(false);
    connection.open();
    const reply = track(connection.send('x', 1, { ack: true }));
    await tick(999);
    expect(reply.status).toBe('pending');
    server.setAvailable(true);
    await tick(1);
    expect(reply.status).toBe('rejected');
    expect(kindOf(reply.error)).toBe('timeout');
    // Not resent once given up.
    await tick(5_000);
    expect(connection.state).toBe('connected');
    expect(acks).toHaveLength(0);
  });

  it('a late ack after expiry does not resolve or throw', async () => {
    const { connection, server } = setup();
    const acks: Array<(reply: unknown) => void> = [];
    server.onConnection((peer) => peer.on('x', (_d, _m, ack) => ack && acks.push(ack)));
    connection.open();
    await tick();
    const reply = track(connection.send('x', 1, { ack: true, timeout: 100 }));
    await tick(100);
    expect(reply.status).toBe('rejected');
    acks[0]?.('late');
    await tick();
    expect(reply.status).toBe('rejected');
    expect(connection.getSnapshot().queued).toBe(0);
  });

  it('a timed-out ack is forgotten by the link: a late reply never resolves a resend of the same client id', async () => {
    const { connection, server, links } = setup();
    const acks: Array<(reply: unknown) => void> = [];
    server.onConnection((peer) => peer.on('x', (_d, _m, ack) => ack && acks.push(ack)));
    connection.open();
    await tick();
    const first = track(connection.send('x', 1, { ack: true, timeout: 100, cid: 'same' }));
    await tick(100);
    expect(first.status).toBe('rejected');
    expect(links[0]?.forgotten).toBe(1);
    // The caller retries under the same client id (the server deduplicates by it).
    const second = track(connection.send('x', 1, { ack: true, timeout: 1_000, cid: 'same' }));
    await tick();
    expect(acks).toHaveLength(2);
    acks[0]?.('stale reply to the first write');
    await tick();
    expect(second.status).toBe('pending');
    acks[1]?.('reply to the second write');
    await tick();
    expect(second).toMatchObject({ status: 'resolved', value: 'reply to the second write' });
    expect(connection.getSnapshot()).toMatchObject({ queued: 0, expired: 1 });
  });

  it('an acked message evicted while in flight is forgotten by the link', async () => {
    const { connection, server, links } = setup({
      outbox: { maxMessages: 1, overflow: 'drop-oldest' },
    });
    const acks: Array<(reply: unknown) => void> = [];
    server.onConnection((peer) => peer.onAny((_e, _d, _m, ack) => ack && acks.push(ack)));
    connection.open();
    await tick();
    const first = track(connection.send('a', 1, { ack: true, cid: 'same' }));
    const second = track(connection.send('b', 2, { ack: true })); // evicts the first
    await tick();
    expect(first.status).toBe('rejected');
    expect(links[0]?.forgotten).toBe(1);
    const third = track(connection.send('a', 1, { ack: true, cid: 'same' })); // evicts the second
    await tick();
    expect(second.status).toBe('rejected');
    acks[0]?.('stale');
    await tick();
    expect(third.status).toBe('pending');
  });

  it('a very long ack timeout (beyond setTimeout range) neither fires early nor spins', async () => {
    const setTimeoutSpy = vi.fn(systemClock.setTimeout);
    const clock: Clock = { ...systemClock, setTimeout: setTimeoutSpy };
    const { connection, server } = setup({ clock });
    server.onConnection((peer) => peer.on('x', () => {}));
    connection.open();
    await tick();
    const day = 24 * 3_600_000;
    const reply = track(connection.send('x', 1, { ack: true, timeout: 30 * day }));
    await tick(3_600_000);
    expect(reply.status).toBe('pending');
    expect(setTimeoutSpy.mock.calls.length).toBeLessThan(10);
    await tick(30 * day);
    expect(reply.status).toBe('rejected');
    expect(kindOf(reply.error)).toBe('timeout');
  });

  it('a timeout or TTL that is not a number (NaN) means no deadline: no timer spin, other deadlines kept', async () => {
    const setTimeoutSpy = vi.fn(systemClock.setTimeout);
    const clock: Clock = { ...systemClock, setTimeout: setTimeoutSpy };
    const { connection, server } = setup({ clock });
    const got: unknown[] = [];
    const acks: Array<(reply: unknown) => void> = [];
    server.onConnection((peer) =>
      peer.onAny((_e, data, _m, ack) => (got.push(data), ack && acks.push(ack))),
    );
    connection.send('queued', 'ttl NaN', { ttl: Number.NaN }); // offline: held
    await tick(10_000);
    expect(setTimeoutSpy.mock.calls.length).toBeLessThan(5);
    connection.open();
    await tick();
    expect(got).toEqual(['ttl NaN']);
    const bad = track(connection.send('x', 'timeout NaN', { ack: true, timeout: Number.NaN }));
    const good = track(connection.send('x', 'timeout 1000', { ack: true, timeout: 1_000 }));
    const before = setTimeoutSpy.mock.calls.length;
    await tick(999);
    expect(good.status).toBe('pending');
    await tick(1);
    expect(kindOf(good.error)).toBe('timeout');
    await tick(60_000);
    expect(setTimeoutSpy.mock.calls.length - before).toBeLessThan(5);
    expect(bad.status).toBe('pending');
    expect(connection.getSnapshot().timers).toBe(0);
    acks[0]?.('late but fine');
    await tick();
    expect(bad).toMatchObject({ status: 'resolved', value: 'late but fine' });
  });

  it('a queued message with a TTL expires while offline and is reported, never sent', async () => {
    const { connection, server, diagnostics } = setup();
    const got: unknown[] = [];
    server.onConnection((peer) => peer.onAny((_e, data) => got.push(data)));
    server.setAvailable(false);
    connection.open();
    connection.send('stale', 'a', { ttl: 500 });
    connection.send('fresh', 'b');
    await tick(500);
    expect(connection.getSnapshot()).toMatchObject({ queued: 1, expired: 1 });
    expect(diagnostics.map((d) => d.type)).toEqual(['expired']);
    server.setAvailable(true);
    await tick(5_000);
    expect(got).toEqual(['b']);
  });

  it('leaves no expiry timer behind once acked messages are settled', async () => {
    const { connection, server } = setup();
    server.onConnection((peer) => peer.on('x', (_d, _m, ack) => ack?.('ok')));
    connection.open();
    await tick();
    await connection.send('x', 1, { ack: true, timeout: 60_000 });
    connection.send('y', 2, { ttl: 60_000 });
    await tick();
    expect(connection.getSnapshot().queued).toBe(0);
    expect(connection.getSnapshot().timers).toBe(0);
  });

  it('overflow `reject`: send throws (or rejects) a WirekitError of kind `overflow`', async () => {
    const { connection, diagnostics } = setup({ outbox: { maxMessages: 2, overflow: 'reject' } });
    connection.send('a', 1);
    connection.send('b', 2);
    let thrown: unknown;
    try {
      connection.send('c', 3);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WirekitError);
    expect(kindOf(thrown)).toBe('overflow');
    await expect(connection.send('d', 4, { ack: true })).rejects.toMatchObject({
      kind: 'overflow',
    });
    expect(connection.getSnapshot()).toMatchObject({ queued: 2, dropped: 2 });
    expect(diagnostics).toEqual([]); // the caller was told directly
  });

  it('overflow `drop-oldest`: the evicted ack rejects, a `dropped` diagnostic is emitted', async () => {
    const { connection, server, diagnostics } = setup({
      outbox: { maxMessages: 2, overflow: 'drop-oldest' },
    });
    const got: unknown[] = [];
    server.onConnection((peer) => peer.onAny((_e, data, _m, ack) => (got.push(data), ack?.('ok'))));
    const first = track(connection.send('a', 1, { ack: true }));
    const second = track(connection.send('b', 2, { ack: true }));
    const third = connection.send('c', 3);
    await tick();
    expect(first.status).toBe('rejected');
    expect(kindOf(first.error)).toBe('overflow');
    expect(second.status).toBe('pending');
    expect(typeof third).toBe('string');
    expect(diagnostics).toEqual([
      { type: 'dropped', reason: 'overflow', message: expect.objectContaining({ event: 'a' }) },
    ]);
    expect(connection.getSnapshot()).toMatchObject({ queued: 2, dropped: 1 });
    connection.open();
    await tick();
    expect(got).toEqual([2, 3]);
    expect(second.status).toBe('resolved');
  });

  it('a diagnostic listener that closes the connection on an eviction gets the send rejected', async () => {
    const { connection } = setup({ outbox: { maxMessages: 1, overflow: 'drop-oldest' } });
    connection.onDiagnostic((d) => d.type === 'dropped' && connection.close());
    const first = track(connection.send('a', 1, { ack: true }));
    const second = track(connection.send('b', 2, { ack: true })); // evicts the first
    await tick();
    expect(kindOf(first.error)).toBe('overflow');
    expect(second.status).toBe('rejected');
    expect(kindOf(second.error)).toBe('closed');
    expect(connection.getSnapshot()).toMatchObject({ state: 'closed', queued: 0, timers: 0 });
  });

  it('overflow `drop-newest`: the new message is dropped and reported, the queue kept', async () => {
    const { connection, diagnostics } = setup({
      outbox: { maxMessages: 1, overflow: 'drop-newest' },
    });
    connection.send('a', 1);
    const cid = connection.send('b', 2);
    expect(typeof cid).toBe('string');
    const acked = track(connection.send('c', 3, { ack: true }));
    await tick();
    expect(kindOf(acked.error)).toBe('overflow');
    expect(diagnostics.map((d) => d.type === 'dropped' && d.message.event)).toEqual(['b', 'c']);
    expect(connection.getSnapshot()).toMatchObject({ queued: 1, dropped: 2 });
  });

  it('a message the transport throws on is dropped as invalid, and the rest of the queue flows', async () => {
    const { connection, server, diagnostics } = setup({}, {}, { refuse: (e) => e === 'bad' });
    const got: unknown[] = [];
    server.onConnection((peer) => peer.onAny((_e, data, _m, ack) => (got.push(data), ack?.('ok'))));
    const states: string[] = [];
    connection.subscribe((snap) => states.push(snap.state));
    const queuedBad = track(connection.send('bad', 1, { ack: true }));
    connection.send('bad', 2);
    const good = track(connection.send('good', 3, { ack: true }));
    connection.open();
    await tick();
    expect(states.at(-1)).toBe('connected');
    expect(kindOf(queuedBad.error)).toBe('invalid');
    expect(good).toMatchObject({ status: 'resolved', value: 'ok' });
    expect(got).toEqual([3]);
    expect(diagnostics).toEqual([
      { type: 'dropped', reason: 'invalid', message: expect.objectContaining({ data: 1 }) },
      { type: 'dropped', reason: 'invalid', message: expect.objectContaining({ data: 2 }) },
    ]);
    // Connected: the caller is told at once, with the same typed error.
    expect(() => connection.send('bad', 4)).toThrow(expect.objectContaining({ kind: 'invalid' }));
    expect(() => connection.send('bad', 5, { volatile: true })).toThrow(
      expect.objectContaining({ kind: 'invalid' }),
    );
    await expect(connection.send('bad', 6, { ack: true })).rejects.toMatchObject({
      kind: 'invalid',
    });
    expect(connection.getSnapshot()).toMatchObject({ queued: 0, dropped: 4, timers: 0 });
  });

  it('overflow by bytes: a message bigger than maxBytes is refused', async () => {
    const { connection } = setup({ outbox: { maxBytes: 10, overflow: 'drop-oldest' } });
    connection.send('small', 'abc');
    const big = track(connection.send('big', 'x'.repeat(11), { ack: true }));
    await tick();
    expect(kindOf(big.error)).toBe('overflow');
    expect(connection.getSnapshot()).toMatchObject({ queued: 1, queuedBytes: 3, dropped: 1 });
  });

  it('a fire-and-forget send while connected never evicts an in-flight acked message', async () => {
    const { connection, server } = setup({ outbox: { maxMessages: 1, overflow: 'drop-oldest' } });
    const acks = new Map<unknown, (reply: unknown) => void>();
    server.onConnection((peer) => peer.onAny((_e, data, _m, ack) => ack && acks.set(data, ack)));
    connection.open();
    await tick();
    const a = track(connection.send('x', 'A', { ack: true }));
    await tick();
    const b = track(connection.send('x', 'B', { ack: true })); // evicts A (outbox of one)
    await tick();
    expect(kindOf(a.error)).toBe('overflow');
    acks.get('B')?.('ok-b');
    await tick();
    expect(b.status).toBe('resolved');
    const d = track(connection.send('x', 'D', { ack: true }));
    await tick();
    connection.send('x', 'E'); // connected: written straight through, outbox untouched
    await tick();
    expect(d.status).toBe('pending');
    acks.get('D')?.('ok-d');
    await tick();
    expect(d).toMatchObject({ status: 'resolved', value: 'ok-d' });
  });

  it('a transport that acks synchronously inside send() leaves no stale bookkeeping', async () => {
    const transport: Transport = {
      name: 'sync-ack',
      canSend: true,
      canPing: false,
      local: true,
      connect({ handlers }) {
        queueMicrotask(() => handlers.onOpen());
        return {
          send: (event, data, _meta, onAck) => {
            if (event === 'ack-now') onAck?.(data);
            return -1;
          },
          sendVolatile: () => true,
          ping: () => {},
          close: () => {},
        };
      },
    };
    const connection = new Connection({
      key: '/',
      url: 'x://',
      transport,
      network: new TestNetwork(),
      outbox: { maxMessages: 1, overflow: 'drop-oldest' },
    });
    open.push(connection);
    connection.open();
    await tick();
    await expect(connection.send('ack-now', 'A', { ack: true })).resolves.toBe('A');
    const later = track(connection.send('later', 'B', { ack: true }));
    connection.send('x', 'C'); // must not evict the in-flight ack
    await tick();
    expect(later.status).toBe('pending');
    expect(connection.getSnapshot()).toMatchObject({ queued: 1, dropped: 0 });
  });

  it('a transport that throws in connect() fails the attempt and is retried', async () => {
    let fail = true;
    const { transport } = hangingTransport();
    const connection = new Connection({
      key: '/',
      url: 'not a url',
      network: new TestNetwork(),
      random: () => 0.5,
      backoff: { initialDelay: 100 },
      transport: {
        ...transport,
        connect: (params) => {
          if (fail) throw new TypeError('Invalid URL');
          params.handlers.onOpen();
          return transport.connect(params);
        },
      },
    });
    open.push(connection);
    connection.open();
    await tick();
    expect(connection.state).toBe('reconnecting');
    expect(connection.getSnapshot().error).toMatchObject({ kind: 'network' });
    expect(connection.getSnapshot().error?.cause).toBeInstanceOf(TypeError);
    fail = false;
    await tick(100);
    expect(connection.state).toBe('connected');
  });

  it('volatile sends are never queued: dropped while offline, written while connected', async () => {
    const { connection, server } = setup();
    const got: unknown[] = [];
    server.onConnection((peer) => peer.on('typing', (data) => got.push(data)));
    expect(connection.send('typing', 'offline', { volatile: true })).toBe('');
    expect(connection.getSnapshot().queued).toBe(0);
    connection.open();
    await tick();
    expect(got).toEqual([]);
    connection.send('typing', 'online', { volatile: true });
    await tick();
    expect(got).toEqual(['online']);
    expect(connection.getSnapshot()).toMatchObject({ queued: 0, messagesOut: 1 });
    connection.send('typing', 'reconnecting', { volatile: true });
    connection.reconnect();
    await tick();
    expect(got).toEqual(['online']);
  });

  it('refuses a payload that cannot be serialized instead of poisoning the queue', async () => {
    const { connection, server } = setup();
    const got: unknown[] = [];
    server.onConnection((peer) => peer.onAny((_e, data) => got.push(data)));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => connection.send('x', cyclic)).toThrow(
      expect.objectContaining({ kind: 'invalid' }),
    );
    await expect(connection.send('x', { n: 1n }, { ack: true })).rejects.toMatchObject({
      kind: 'invalid',
    });
    connection.send('x', 'after');
    expect(connection.getSnapshot().queued).toBe(1);
    connection.open();
    await tick();
    expect(got).toEqual(['after']);
  });

  it('sends under a caller-chosen client id, and refuses one that is already held', async () => {
    const { connection, server } = setup();
    const { deliveries } = dedupingServer(server, 'save');
    const reply = track(connection.send('save', 1, { ack: true, cid: 'msg-1' }));
    expect(() => connection.send('save', 2, { cid: 'msg-1' })).toThrow(
      expect.objectContaining({ kind: 'invalid' }),
    );
    await expect(connection.send('save', 3, { ack: true, cid: 'msg-1' })).rejects.toMatchObject({
      kind: 'invalid',
    });
    expect(connection.getSnapshot().queued).toBe(1);
    connection.open();
    await tick();
    expect(deliveries).toEqual(['msg-1']);
    expect(reply).toMatchObject({ status: 'resolved', value: { ok: true, cid: 'msg-1' } });
    // Settled: the id may be used again (a retry the server deduplicates).
    await expect(connection.send('save', 1, { ack: true, cid: 'msg-1' })).resolves.toMatchObject({
      cid: 'msg-1',
    });
  });

  it('a receive-only transport rejects sends with `unsupported`', async () => {
    const { transport } = hangingTransport();
    const connection = new Connection({
      key: '/',
      url: 'x://',
      transport: { ...transport, canSend: false },
      network: new TestNetwork(),
    });
    open.push(connection);
    expect(() => connection.send('a', 1)).toThrow(expect.objectContaining({ kind: 'unsupported' }));
    await expect(connection.send('a', 1, { ack: true })).rejects.toMatchObject({
      kind: 'unsupported',
    });
  });
});

describe('Connection inbound events', () => {
  it('delivers events to handlers and counts them', async () => {
    const { connection, peers } = setup();
    const got: unknown[] = [];
    connection.on('msg', (data) => got.push(data));
    connection.open();
    await tick();
    peers[0]?.emit('msg', { text: 'hi' });
    peers[0]?.emit('other', 1);
    await tick();
    expect(got).toEqual([{ text: 'hi' }]);
    expect(connection.getSnapshot()).toMatchObject({
      messagesIn: 2,
      bytesIn: JSON.stringify({ text: 'hi' }).length + 1,
    });
  });

  it('on() returns a disposer; listener count goes back to 0', async () => {
    const { connection, peers } = setup();
    const off = connection.getSnapshot().listeners; // the harness's diagnostic listener
    const handler = vi.fn();
    const dispose = connection.on('msg', handler);
    const dispose2 = connection.on('msg', () => {});
    expect(connection.getSnapshot().listeners).toBe(off + 2);
    connection.open();
    await tick();
    dispose();
    dispose(); // harmless
    expect(connection.getSnapshot().listeners).toBe(off + 1);
    peers[0]?.emit('msg', 1);
    await tick();
    expect(handler).not.toHaveBeenCalled();
    dispose2();
    expect(connection.getSnapshot().listeners).toBe(off);
  });

  it('counts subscribers and diagnostic listeners as listeners', () => {
    const { connection } = setup();
    const base = connection.getSnapshot().listeners;
    const unsubscribe = connection.subscribe(() => {});
    expect(connection.getSnapshot().listeners).toBe(base + 1);
    const offDiag = connection.onDiagnostic(() => {});
    expect(connection.getSnapshot().listeners).toBe(base + 2);
    offDiag();
    offDiag();
    expect(connection.getSnapshot().listeners).toBe(base + 1);
    unsubscribe();
    unsubscribe();
    expect(connection.getSnapshot().listeners).toBe(base);
  });

  it('a per-event schema drops invalid payloads, counts and reports them', async () => {
    const { connection, peers, diagnostics } = setup({ schemas: { count: numberSchema } });
    const handler = vi.fn();
    connection.on('count', handler);
    connection.open();
    await tick();
    peers[0]?.emit('count', 'seven');
    peers[0]?.emit('count', 7);
    await tick();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler).toHaveBeenCalledWith(7);
    expect(connection.getSnapshot()).toMatchObject({ invalid: 1, messagesIn: 2 });
    expect(diagnostics).toEqual([
      { type: 'invalid', event: 'count', issues: [{ message: 'not a number' }] },
    ]);
  });

  it('an event named like an Object member (constructor, toString) has no schema unless given one', async () => {
    const { connection, peers } = setup({ schemas: { count: numberSchema } });
    const got: unknown[] = [];
    connection.on('constructor', (d) => got.push(d));
    connection.on('toString', (d) => got.push(d));
    connection.open();
    await tick();
    peers[0]?.emit('constructor', 'a');
    peers[0]?.emit('toString', 'b');
    await tick();
    expect(got).toEqual(['a', 'b']);
    expect(connection.getSnapshot().invalid).toBe(0);
  });

  it('validates even without handlers, and supports async (Promise) validators', async () => {
    const asyncSchema: StandardSchemaV1<unknown, number> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) =>
          Promise.resolve(
            typeof value === 'number' ? { value: value * 2 } : { issues: [{ message: 'nope' }] },
          ),
      },
    };
    const { connection, peers } = setup({ schemas: { n: asyncSchema, m: numberSchema } });
    const handler = vi.fn();
    connection.on('n', handler);
    connection.open();
    await tick();
    peers[0]?.emit('m', 'bad');
    peers[0]?.emit('n', 'bad');
    peers[0]?.emit('n', 21);
    await tick();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler).toHaveBeenCalledWith(42); // the validator's output is delivered
    expect(connection.getSnapshot().invalid).toBe(2);
  });

  it('a handler-level schema guards that handler only', async () => {
    const { connection, peers, diagnostics } = setup();
    const strict = vi.fn();
    const loose = vi.fn();
    connection.on('count', strict, { schema: numberSchema });
    connection.on('count', loose);
    connection.open();
    await tick();
    peers[0]?.emit('count', 'x');
    await tick();
    expect(strict).not.toHaveBeenCalled();
    expect(loose).toHaveBeenCalledWith('x');
    expect(connection.getSnapshot().invalid).toBe(1);
    expect(diagnostics.map((d) => d.type)).toEqual(['invalid']);
  });

  it('never calls a handler disposed while its async validation was pending', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slowSchema: StandardSchemaV1<unknown, number> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) => {
          await gate;
          return { value: value as number };
        },
      },
    };
    const { connection, peers } = setup();
    const disposed = vi.fn();
    const kept = vi.fn();
    const off = connection.on('n', disposed, { schema: slowSchema });
    connection.on('n', kept, { schema: slowSchema });
    connection.open();
    await tick();
    peers[0]?.emit('n', 1);
    await tick();
    off();
    release();
    await tick();
    expect(disposed).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledWith(1);
  });

  it('delivers nothing once closed, even if an async validation finishes later', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slowSchema: StandardSchemaV1<unknown, number> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) => (await gate, { value: value as number }),
      },
    };
    const { connection, peers } = setup({ schemas: { n: slowSchema } });
    const handler = vi.fn();
    connection.on('n', handler);
    connection.open();
    await tick();
    peers[0]?.emit('n', 1);
    await tick();
    connection.close();
    release();
    await tick();
    expect(handler).not.toHaveBeenCalled();
  });

  it('a validator that throws or rejects counts as invalid and never reaches handlers', async () => {
    const throwing: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: () => {
          throw new Error('validator bug');
        },
      },
    };
    const rejecting: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: () => Promise.reject(new Error('async validator bug')),
      },
    };
    const { connection, peers, diagnostics } = setup({ schemas: { a: throwing, b: rejecting } });
    const handler = vi.fn();
    connection.on('a', handler);
    connection.on('b', handler);
    connection.open();
    await tick();
    peers[0]?.emit('a', 1);
    peers[0]?.emit('b', 1);
    await tick();
    expect(handler).not.toHaveBeenCalled();
    expect(connection.getSnapshot().invalid).toBe(2);
    expect(diagnostics.map((d) => d.type === 'invalid' && d.issues[0]?.message)).toEqual([
      'The validator threw: Error: validator bug',
      'The validator threw: Error: async validator bug',
    ]);
    expect(connection.state).toBe('connected');
  });

  it('a handler disposed by an earlier handler in the same dispatch is not called', async () => {
    const { connection, peers } = setup();
    const second = vi.fn();
    let offSecond: () => void = () => {};
    connection.on('msg', () => offSecond());
    offSecond = connection.on('msg', second);
    connection.open();
    await tick();
    peers[0]?.emit('msg', 1);
    await tick();
    expect(second).not.toHaveBeenCalled();
  });

  it('a handler that closes the connection stops the dispatch: later handlers are not called', async () => {
    const { connection, peers } = setup();
    const second = vi.fn();
    connection.on('kicked', () => connection.close());
    connection.on('kicked', second);
    connection.open();
    await tick();
    peers[0]?.emit('kicked', 1);
    await tick();
    expect(connection.state).toBe('closed');
    expect(second).not.toHaveBeenCalled();
  });

  it('a throwing handler does not stop the others and is reported', async () => {
    const { connection, peers, diagnostics } = setup();
    const boom = new Error('boom');
    const after = vi.fn();
    connection.on('msg', () => {
      throw boom;
    });
    connection.on('msg', after);
    connection.open();
    await tick();
    peers[0]?.emit('msg', 1);
    peers[0]?.emit('msg', 2);
    await tick();
    expect(after).toHaveBeenCalledTimes(2);
    expect(diagnostics).toEqual([
      { type: 'handler-error', event: 'msg', error: boom },
      { type: 'handler-error', event: 'msg', error: boom },
    ]);
    expect(connection.state).toBe('connected');
  });

  it('without diagnostic listeners a throwing handler is logged, not thrown', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { transport } = hangingTransport();
    let handlers: LinkParams['handlers'] | undefined;
    const connection = new Connection({
      key: '/',
      url: 'x://',
      network: new TestNetwork(),
      transport: {
        ...transport,
        connect: (params) => ((handlers = params.handlers), transport.connect(params)),
      },
    });
    open.push(connection);
    connection.on('msg', () => {
      throw new Error('boom');
    });
    connection.open();
    handlers?.onOpen();
    expect(() => handlers?.onMessage('msg', 1, 1)).not.toThrow();
    expect(error).toHaveBeenCalledTimes(1);
  });

  it('an undecodable frame from the transport counts as invalid', async () => {
    const { transport } = hangingTransport();
    let handlers: LinkParams['handlers'] | undefined;
    const connection = new Connection({
      key: '/',
      url: 'x://',
      network: new TestNetwork(),
      transport: {
        ...transport,
        connect: (params) => ((handlers = params.handlers), transport.connect(params)),
      },
    });
    open.push(connection);
    const diagnostics: Diagnostic[] = [];
    connection.onDiagnostic((d) => diagnostics.push(d));
    connection.open();
    handlers?.onOpen();
    handlers?.onInvalid('bad JSON');
    expect(connection.getSnapshot().invalid).toBe(1);
    expect(diagnostics).toEqual([
      { type: 'invalid', event: '', issues: [{ message: 'bad JSON' }] },
    ]);
  });

  it('ignores messages from a link it already replaced', async () => {
    const { transport } = hangingTransport();
    const all: Array<LinkParams['handlers']> = [];
    const connection = new Connection({
      key: '/',
      url: 'x://',
      network: new TestNetwork(),
      transport: {
        ...transport,
        connect: (params) => (all.push(params.handlers), transport.connect(params)),
      },
    });
    open.push(connection);
    const handler = vi.fn();
    connection.on('msg', handler);
    connection.open();
    all[0]?.onOpen();
    connection.reconnect();
    all[1]?.onOpen();
    all[0]?.onMessage('msg', 'stale', 5);
    all[0]?.onClose(new WirekitError('network', 'old link died'));
    expect(handler).not.toHaveBeenCalled();
    expect(connection.state).toBe('connected');
    all[1]?.onMessage('msg', 'fresh', 5);
    expect(handler).toHaveBeenCalledWith('fresh');
  });
});

describe('Connection and the online signal', () => {
  it('retries at once on `online` while waiting for a retry', async () => {
    const { connection, server, network, attempts } = setup({
      backoff: { initialDelay: 20_000, jitter: 0 },
    });
    server.setAvailable(false);
    connection.open();
    await tick();
    expect(connection.state).toBe('reconnecting');
    expect(connection.getSnapshot().nextRetryAt).toBe(Date.now() + 20_000);
    server.setAvailable(true);
    network.emit(true);
    await tick();
    expect(connection.state).toBe('connected');
    expect(attempts).toHaveLength(2);
    // The cancelled backoff timer does not fire a third attempt.
    await tick(120_000);
    expect(attempts).toHaveLength(2);
  });

  it('repeated `online` events during one attempt open one link only', async () => {
    const { connection, server, network, peers, links } = setup({
      backoff: { initialDelay: 20_000, jitter: 0 },
    });
    server.setAvailable(false);
    connection.open();
    await tick();
    server.setAvailable(true);
    network.emit(true);
    network.emit(true);
    network.emit(true);
    await tick();
    expect(connection.state).toBe('connected');
    expect(server.peers).toHaveLength(1);
    expect(peers).toHaveLength(1);
    expect(links.filter((l) => !l.closed)).toHaveLength(1);
  });

  it('ignores `online` when connected or failed', async () => {
    const { connection, network, attempts, server } = setup({ maxAttempts: 1 });
    connection.open();
    await tick();
    network.emit(true);
    await tick();
    expect(attempts).toHaveLength(1);
    server.setAvailable(false);
    await tick(200);
    expect(connection.state).toBe('failed');
    const count = attempts.length;
    network.emit(true);
    await tick();
    expect(attempts).toHaveLength(count);
  });

  it('`offline` while connected pings at once, so a dead link is found fast', async () => {
    let silent = false;
    const { connection, network } = setup(
      { heartbeat: { interval: 60_000, timeout: 1_000 } },
      {},
      { silentPing: () => silent },
    );
    connection.open();
    await tick();
    silent = true;
    network.emit(false);
    await tick(1_000);
    expect(connection.state).toBe('reconnecting');
    expect(connection.getSnapshot().error?.kind).toBe('timeout');
  });

  it('subscribes to the network signal on open and lets go on close', async () => {
    const { connection, network } = setup();
    expect(network.hasListeners()).toBe(false);
    connection.open();
    expect(network.hasListeners()).toBe(true);
    connection.close();
    expect(network.hasListeners()).toBe(false);
  });
});

describe('Connection close', () => {
  it('closes for good: state, timers, pending acks, later sends', async () => {
    const { connection, server, peers } = setup({ heartbeat: { interval: 1_000, timeout: 500 } });
    server.onConnection((peer) => peer.on('never', () => {}));
    connection.open();
    await tick();
    const pending = track(connection.send('never', 1, { ack: true }));
    await tick();
    expect(connection.getSnapshot().timers).toBeGreaterThan(0);
    connection.close();
    await tick();
    expect(connection.state).toBe('closed');
    expect(connection.getSnapshot()).toMatchObject({ timers: 0, queued: 0, nextRetryAt: null });
    expect(pending.status).toBe('rejected');
    expect(kindOf(pending.error)).toBe('closed');
    expect(peers[0]?.closed).toBe(true);
    expect(() => connection.send('x', 1)).toThrow(expect.objectContaining({ kind: 'closed' }));
    await expect(connection.send('x', 1, { ack: true })).rejects.toMatchObject({ kind: 'closed' });
    // Nothing comes back to life.
    connection.open();
    connection.reconnect();
    await tick(60_000);
    expect(connection.state).toBe('closed');
    expect(server.peers).toHaveLength(0);
  });

  it('rejects queued acks made while offline too', async () => {
    const { connection } = setup();
    const pending = track(connection.send('x', 1, { ack: true }));
    connection.close();
    await tick();
    expect(kindOf(pending.error)).toBe('closed');
  });

  it('closes while waiting for a retry without firing it', async () => {
    const { connection, server, attempts } = setup();
    server.setAvailable(false);
    connection.open();
    await tick();
    connection.close();
    await tick(60_000);
    expect(attempts).toHaveLength(1);
    expect(connection.getSnapshot().timers).toBe(0);
  });

  it('releases every listener: subscribers, handlers and diagnostics', async () => {
    const { connection } = setup();
    const subscriber = vi.fn();
    connection.subscribe(subscriber);
    connection.on('msg', () => {});
    connection.open();
    await tick();
    connection.close();
    expect(subscriber).toHaveBeenLastCalledWith(expect.objectContaining({ state: 'closed' }));
    expect(connection.getSnapshot().listeners).toBe(0);
    expect(connection.hasListeners()).toBe(false);
    // on() after close is a no-op disposer
    connection.on('msg', () => {})();
    expect(connection.getSnapshot().listeners).toBe(0);
  });

  it('close() from a subscriber told of the attempt leaves no link and no timer behind', async () => {
    const { connection, attempts } = setup();
    connection.subscribe((s) => {
      if (s.state === 'connecting') connection.close();
    });
    connection.open();
    expect(connection.state).toBe('closed');
    expect(attempts).toHaveLength(0);
    expect(connection.getSnapshot().timers).toBe(0);
  });

  it('reconnect() from a subscriber told of the attempt keeps the new attempt under its deadline', async () => {
    // The server never answers in time: only the connect deadline ends the attempt.
    const { connection, attempts } = setup({ connectTimeout: 1_000 }, { latency: 60_000 });
    let once = false;
    connection.subscribe((s) => {
      if (s.state !== 'connecting' || once) return;
      once = true;
      connection.reconnect();
    });
    connection.open();
    expect(attempts).toHaveLength(1);
    await tick(1_000);
    expect(connection.state).toBe('reconnecting');
    expect(connection.getSnapshot().error?.kind).toBe('timeout');
  });

  it('close() twice is harmless', () => {
    const { connection } = setup();
    const subscriber = vi.fn();
    connection.subscribe(subscriber);
    connection.close();
    connection.close();
    expect(subscriber).toHaveBeenCalledTimes(1);
  });
});

describe('Connection snapshots', () => {
  it('are frozen and the same object until something changes', async () => {
    const { connection, peers } = setup();
    connection.open();
    await tick();
    const a = connection.getSnapshot();
    expect(Object.isFrozen(a)).toBe(true);
    expect(connection.getSnapshot()).toBe(a);
    peers[0]?.emit('msg', 1);
    await tick();
    const b = connection.getSnapshot();
    expect(b).not.toBe(a);
    expect(b.messagesIn).toBe(1);
    expect(a.messagesIn).toBe(0); // the old picture is untouched
    expect(connection.getSnapshot()).toBe(b);
  });

  it('notifies state changes synchronously and coalesces counter changes', async () => {
    const { connection, peers } = setup();
    const seen: ConnectionSnapshot[] = [];
    connection.subscribe((s) => seen.push(s));
    connection.open();
    expect(seen.map((s) => s.state)).toEqual(['connecting']);
    await tick();
    expect(seen.at(-1)?.state).toBe('connected');
    const before = seen.length;
    for (let i = 0; i < 5; i++) peers[0]?.emit('msg', i);
    await tick();
    const counterUpdates = seen.slice(before);
    expect(counterUpdates.length).toBeGreaterThanOrEqual(1);
    expect(counterUpdates.length).toBeLessThan(5);
    expect(counterUpdates.at(-1)?.messagesIn).toBe(5);
    // Every notification carries the current snapshot.
    expect(seen.at(-1)).toBe(connection.getSnapshot());
  });

  it('a throwing subscriber neither stops the others nor breaks the state machine', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { connection } = setup({ connectTimeout: 1_000 });
    const states: string[] = [];
    connection.subscribe(() => {
      throw new Error('ui bug');
    });
    connection.subscribe((s) => states.push(s.state));
    connection.open();
    await tick();
    expect(connection.state).toBe('connected');
    expect(states).toEqual(['connecting', 'connected']);
    expect(error).toHaveBeenCalled();
    await tick(5_000); // the connect timeout was cancelled as usual
    expect(connection.state).toBe('connected');
  });

  it('an unsubscribed listener hears nothing more', async () => {
    const { connection } = setup();
    const listener = vi.fn();
    const unsubscribe = connection.subscribe(listener);
    unsubscribe();
    connection.open();
    await tick();
    expect(listener).not.toHaveBeenCalled();
  });
});
