import { render } from '@testing-library/svelte';
import type { ConnectionPool } from '@wirekit/core';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ConnectionHarness from '../test/harness/ConnectionHarness.svelte';
import { GRACE, testPool } from '../test/pool.js';
import { withRoot } from '../test/runes.svelte.js';
import { getPool, hasPool, useConnection } from './index.js';

let pool: ConnectionPool;

afterEach(() => pool?.destroy());

/** Waits until the pool let go of everything after the grace period. */
async function expectReleased(p: ConnectionPool) {
  await expect.poll(() => p.getSnapshot().connections.length).toBe(0);
  const snap = p.getSnapshot();
  expect(snap.leases).toBe(0);
  expect(snap.listeners).toBe(0);
  expect(snap.timers).toBe(0);
}

describe('useConnection in an $effect.root', () => {
  it('acquires when effects run, opens, releases on cleanup after the grace period', async () => {
    pool = testPool();
    const { value: conn, cleanup } = withRoot(() => useConnection(undefined, { pool }));
    expect(pool.getSnapshot().leases).toBe(1);
    expect(conn.connection).toBe(pool.peek('/'));
    await expect.poll(() => conn.state).not.toBe('idle');

    cleanup();
    // Released but inside the grace period: the connection stays for a route change.
    expect(pool.getSnapshot().leases).toBe(0);
    expect(pool.getSnapshot().connections).toHaveLength(1);
    expect(conn.connection).toBeUndefined();
    await expectReleased(pool);
    expect(() => conn.send('wk:ping', {})).toThrow(/no connection/);
  });

  it('on() handlers attach to the leased connection and go away with the owner', () => {
    pool = testPool();
    const { value: conn, cleanup } = withRoot(() => {
      const c = useConnection('/', { pool });
      c.on('wk:hello', () => {});
      return c;
    });
    const base = pool.getSnapshot().connections[0]?.listeners ?? 0;
    expect(base).toBeGreaterThanOrEqual(1);
    const off = conn.on('wk:hello', () => {});
    expect(pool.getSnapshot().connections[0]?.listeners).toBe(base + 1);
    off();
    expect(pool.getSnapshot().connections[0]?.listeners).toBe(base);
    cleanup();
    expect(pool.getSnapshot().connections[0]?.listeners).toBe(base - 1);
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

  it('reads are reactive: an effect re-runs when the connection changes state', () => {
    pool = testPool();
    const seen: string[] = [];
    const { cleanup } = withRoot(() => {
      const conn = useConnection('/', { pool });
      $effect(() => {
        seen.push(conn.state);
      });
      return conn;
    });
    expect(seen.at(-1)).toBe('connecting');
    pool.destroy(); // closes the connection under the wrapper
    flushSync();
    expect(seen.at(-1)).toBe('closed');
    cleanup();
  });
});

describe('useConnection outside any owner', () => {
  it('does not crash, acquires on its own root, and dispose() releases', async () => {
    pool = testPool();
    const conn = useConnection('/', { pool });
    expect(() => conn.send('wk:ping', {})).toThrow(/not mounted/);
    flushSync();
    expect(pool.getSnapshot().leases).toBe(1);
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
});

describe('useConnection in components', () => {
  it('one connection for 1 or 50 mounted consumers; unmount releases after the grace period', async () => {
    pool = testPool();
    const view = render(ConnectionHarness, { props: { pool, count: 1 } });
    expect(pool.getSnapshot().leases).toBe(1);
    await expect.poll(() => view.getAllByTestId('conn')[0]?.textContent).not.toBe('/:idle:0');

    await view.rerender({ pool, count: 50 });
    expect(view.getAllByTestId('conn')).toHaveLength(50);
    expect(pool.getSnapshot().leases).toBe(50);
    expect(pool.getSnapshot().connections).toHaveLength(1);

    await view.rerender({ pool, count: 10 });
    expect(pool.getSnapshot().leases).toBe(10);

    view.unmount();
    expect(pool.getSnapshot().leases).toBe(0);
    const idleSince = pool.getSnapshot().connections[0]?.idleSince;
    expect(idleSince).toBeTypeOf('number');
    await expectReleased(pool);
    expect(Date.now() - (idleSince ?? 0)).toBeGreaterThanOrEqual(GRACE - 20);
  });
});
