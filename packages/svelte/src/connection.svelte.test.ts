import { render } from '@testing-library/svelte';
import type { ConnectionPool } from '@wirekit/core';
import type { HelloEvent } from '@wirekit/core/protocol';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ConnectionHarness from '../test/harness/ConnectionHarness.svelte';
import EventParent from '../test/harness/EventParent.svelte';
import NoPool from '../test/harness/NoPool.svelte';
import { GRACE, stats, testPool } from '../test/pool.js';
import { withRoot } from '../test/runes.svelte.js';
import { getPool, hasPool, useConnection } from './index.js';

let pool: ConnectionPool;

afterEach(() => pool?.destroy());

/** Waits until the pool let go of everything and the server saw the socket close. */
async function expectReleased(p: ConnectionPool) {
  await expect.poll(() => p.getSnapshot().connections.length).toBe(0);
  const snap = p.getSnapshot();
  expect(snap.leases).toBe(0);
  expect(snap.listeners).toBe(0);
  expect(snap.timers).toBe(0);
  await expect.poll(async () => (await stats()).sockets).toBe(0);
}

describe('useConnection in an $effect.root', () => {
  it('acquires when effects run, connects for real, releases on cleanup after the grace period', async () => {
    pool = testPool();
    const before = (await stats()).handshakes;
    const { value: conn, cleanup } = withRoot(() => useConnection(undefined, { pool }));
    expect(pool.getSnapshot().leases).toBe(1);
    expect(conn.connection).toBe(pool.peek('/'));
    await expect.poll(() => conn.state).toBe('connected');
    expect(conn.connected).toBe(true);
    expect(conn.attempt).toBe(0);
    expect(conn.error).toBeNull();
    expect(conn.snapshot.key).toBe('/');
    expect((await stats()).handshakes - before).toBe(1);

    const reply = await conn.send('wk:ping', {}, { ack: true });
    expect(reply).toMatchObject({ ok: true });

    cleanup();
    // Released but inside the grace period: the connection stays open for a route change.
    expect(pool.getSnapshot().leases).toBe(0);
    expect(pool.getSnapshot().connections).toHaveLength(1);
    expect((await stats()).sockets).toBe(1);
    expect(conn.connection).toBeUndefined();
    await expectReleased(pool);
    // The wrapper keeps its last picture and refuses to send.
    expect(conn.state).toBe('connected');
    expect(() => conn.send('wk:ping', {})).toThrow(/no connection/);
  });

  it('on() handlers attach to the leased connection and go away with the owner', async () => {
    pool = testPool();
    const hellos: HelloEvent[] = [];
    const { value: conn, cleanup } = withRoot(() => {
      const c = useConnection<{ 'wk:hello': HelloEvent }>('/', { pool });
      c.on('wk:hello', (hello) => hellos.push(hello));
      return c;
    });
    await expect.poll(() => hellos.length).toBe(1);
    expect(hellos[0]?.user.id).toBe('alice');
    const base = pool.getSnapshot().connections[0]?.listeners ?? 0;
    const off = conn.on('wk:hello', () => {});
    expect(pool.getSnapshot().connections[0]?.listeners).toBe(base + 1);
    off();
    expect(pool.getSnapshot().connections[0]?.listeners).toBe(base);
    cleanup();
    expect(pool.getSnapshot().connections[0]?.listeners).toBe(base - 1);
    await expectReleased(pool);
  });

  it('reconnect() drops the link and connects again', async () => {
    pool = testPool();
    const { value: conn, cleanup } = withRoot(() => useConnection('/', { pool }));
    await expect.poll(() => conn.state).toBe('connected');
    const before = (await stats()).handshakes;
    conn.reconnect();
    expect(conn.state).not.toBe('connected');
    await expect.poll(() => conn.state).toBe('connected');
    expect((await stats()).handshakes - before).toBe(1);
    cleanup();
  });

  it('a key getter re-targets: releases the old key, acquires the new one, keeps handlers', () => {
    pool = testPool();
    let key = $state('/');
    const { value: conn, cleanup } = withRoot(() => {
      const c = useConnection(() => key, { pool });
      c.on('wk:hello', () => {});
      return c;
    });
    expect(pool.getSnapshot().connections.map((c) => [c.key, c.refCount])).toEqual([['/', 1]]);
    key = '/other';
    flushSync();
    expect(conn.key).toBe('/other');
    const byKey = Object.fromEntries(
      pool.getSnapshot().connections.map((c) => [c.key, c.refCount]),
    );
    expect(byKey).toEqual({ '/': 0, '/other': 1 });
    const other = pool.getSnapshot().connections.find((c) => c.key === '/other');
    expect(other?.listeners).toBeGreaterThanOrEqual(1);
    cleanup();
    expect(pool.getSnapshot().leases).toBe(0);
  });

  it('connection is reactive: a reader sees the leased connection and follows the key', () => {
    pool = testPool();
    let key = $state('/');
    const seen: (string | undefined)[] = [];
    const { value: conn, cleanup } = withRoot(() => {
      const c = useConnection(() => key, { pool });
      // A pre-effect reads before the wrapper's own effect runs, like a template does.
      $effect.pre(() => {
        seen.push(c.connection?.key);
      });
      return c;
    });
    expect(seen.at(-1)).toBe('/');
    expect(pool.peek('/')).toBeDefined();
    key = '/other';
    flushSync();
    expect(seen.at(-1)).toBe('/other');
    cleanup();
    expect(conn.connection).toBeUndefined();
  });

  it('a key getter that re-runs with the same key keeps the lease and handlers', () => {
    pool = testPool();
    let data = $state({ ns: '/' });
    const { value: conn, cleanup } = withRoot(() => useConnection(() => data.ns, { pool }));
    const connection = conn.connection;
    expect(connection).toBeDefined();
    data = { ns: '/' };
    flushSync();
    expect(conn.connection).toBe(connection);
    expect(pool.getSnapshot().connections.map((c) => [c.key, c.refCount, c.idleSince])).toEqual([
      ['/', 1, null],
    ]);
    cleanup();
  });

  it('reads are reactive: an effect re-runs when the connection changes state', async () => {
    pool = testPool();
    const seen: string[] = [];
    const { cleanup } = withRoot(() => {
      const conn = useConnection('/', { pool });
      $effect(() => {
        seen.push(conn.state);
      });
      return conn;
    });
    await expect.poll(() => seen.at(-1)).toBe('connected');
    pool.destroy(); // closes the connection under the wrapper
    flushSync();
    expect(seen.at(-1)).toBe('closed');
    cleanup();
  });
});

describe('on() from another component', () => {
  it("a child that listens through its parent's connection stops listening when it unmounts", async () => {
    pool = testPool();
    const seen: string[] = [];
    const view = render(EventParent, { props: { pool, show: false, seen } });
    await expect.poll(() => view.getByTestId('state').textContent).toBe('connected');
    const listeners = () => pool.getSnapshot().connections[0]?.listeners ?? 0;
    const base = listeners();
    for (let i = 0; i < 3; i++) {
      await view.rerender({ pool, show: true, seen });
      expect(listeners()).toBe(base + 1);
      await view.rerender({ pool, show: false, seen });
      expect(listeners()).toBe(base);
    }
    // A new session greets again: no unmounted child hears it.
    pool.peek('/')?.reconnect();
    await expect.poll(() => view.getByTestId('state').textContent).toBe('connected');
    expect(seen).toEqual([]);
    view.unmount();
  });
});

describe('on() in an effect', () => {
  it('an effect that calls on() without returning its disposer does not pile up handlers', () => {
    pool = testPool();
    let round = $state(0);
    const { cleanup } = withRoot(() => {
      const conn = useConnection('/', { pool });
      $effect(() => {
        const mine = round;
        conn.on('wk:hello', () => mine);
      });
      return conn;
    });
    const listeners = () => pool.getSnapshot().connections[0]?.listeners ?? 0;
    const base = listeners();
    for (let i = 1; i <= 3; i++) {
      round = i;
      flushSync();
      expect(listeners()).toBe(base);
    }
    cleanup();
    expect(listeners()).toBe(base - 1);
  });
});

describe('a destroyed pool', () => {
  it('a component mounted on it shows a closed connection instead of failing to mount', () => {
    pool = testPool();
    pool.destroy();
    const view = render(ConnectionHarness, { props: { pool, key: '/gone' } });
    expect(view.getByTestId('conn').textContent).toBe('/gone:closed:0');
    view.unmount();
    const conn = useConnection('/', { pool });
    flushSync();
    expect(conn.state).toBe('closed');
    expect(conn.error).toMatchObject({ kind: 'closed' });
    expect(() => conn.send('wk:ping', {})).toThrow(/no connection/);
    conn.dispose();
  });
});

describe('useConnection outside any owner', () => {
  it('does not crash, acquires on its own root, and dispose() releases', async () => {
    pool = testPool();
    const conn = useConnection('/', { pool });
    expect(() => conn.send('wk:ping', {})).toThrow(/not mounted/);
    flushSync();
    expect(pool.getSnapshot().leases).toBe(1);
    await expect.poll(() => conn.state).toBe('connected');
    conn.dispose();
    conn.dispose();
    expect(pool.getSnapshot().leases).toBe(0);
    await expect(conn.send('wk:ping', {}, { ack: true })).rejects.toMatchObject({ kind: 'closed' });
    await expectReleased(pool);
  });

  it('without a pool it throws a fix-it message', () => {
    expect(() => useConnection()).toThrow(/outside component initialisation/);
    expect(() => getPool()).toThrow(/pass \{ pool \}/);
    expect(hasPool()).toBe(false);
  });

  it('in a component with no setPool above it, the error says where to call setPool', () => {
    let seen: boolean | undefined;
    expect(() => render(NoPool, { props: { onHasPool: (v: boolean) => (seen = v) } })).toThrow(
      'No wirekit pool found: call setPool(pool) in a parent layout (e.g. src/routes/+layout.svelte)',
    );
    expect(seen).toBe(false);
  });
});

describe('useConnection in components', () => {
  it('one socket for 1 or 50 mounted consumers; unmount releases after the grace period', async () => {
    pool = testPool();
    const before = (await stats()).handshakes;
    const view = render(ConnectionHarness, { props: { pool, count: 1 } });
    await expect.poll(() => view.getAllByTestId('conn')[0]?.textContent).toBe('/:connected:0');
    expect((await stats()).handshakes - before).toBe(1);
    expect((await stats()).sockets).toBe(1);

    await view.rerender({ pool, count: 50 });
    const items = view.getAllByTestId('conn');
    expect(items).toHaveLength(50);
    expect(items.every((p) => p.textContent === '/:connected:0')).toBe(true);
    expect(pool.getSnapshot().leases).toBe(50);
    expect(pool.getSnapshot().connections).toHaveLength(1);
    expect((await stats()).handshakes - before).toBe(1);
    expect((await stats()).sockets).toBe(1);

    await view.rerender({ pool, count: 10 });
    expect(pool.getSnapshot().leases).toBe(10);

    view.unmount();
    expect(pool.getSnapshot().leases).toBe(0);
    const idleSince = pool.getSnapshot().connections[0]?.idleSince;
    expect(idleSince).toBeTypeOf('number');
    await expectReleased(pool);
    expect(Date.now() - (idleSince ?? 0)).toBeGreaterThanOrEqual(GRACE - 20);
    expect((await stats()).handshakes - before).toBe(1);
  });
});
