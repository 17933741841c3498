import { render } from '@testing-library/svelte';
import type { ConnectionPool } from '@wirekit/core';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ChatHarness from '../test/harness/ChatHarness.svelte';
import { testPool } from '../test/pool.js';
import { withRoot } from '../test/runes.svelte.js';
import { useChatRoom, useNotificationFeed, usePoolMonitor } from './index.js';

let pool: ConnectionPool;
afterEach(() => pool?.destroy());

const listeners = () => pool.getSnapshot().connections[0]?.listeners ?? 0;

describe('useChatRoom', () => {
  it('starts a room on mount; a room prop change swaps rooms on the same lease', async () => {
    pool = testPool();
    const view = render(ChatHarness, { props: { pool, room: 'a' } });
    expect(view.getByRole('heading').textContent).toBe('a');
    expect(view.getByTestId('status').textContent).toBe('joining');
    expect(pool.getSnapshot().leases).toBe(1);
    const withRoomA = listeners();
    expect(withRoomA).toBeGreaterThan(0);

    await view.rerender({ pool, room: 'b' });
    expect(view.getByRole('heading').textContent).toBe('b');
    expect(view.getByTestId('status').textContent).toBe('joining');
    expect(pool.getSnapshot().leases).toBe(1);
    // Room a's handlers are gone, room b's took their place.
    expect(listeners()).toBe(withRoomA);

    view.unmount();
    expect(pool.getSnapshot().leases).toBe(0);
    await expect.poll(() => pool.getSnapshot().listeners).toBe(0);
  });

  it('outside a component: dispose() stops the room and releases; send refuses after', () => {
    pool = testPool();
    const chat = useChatRoom('lobby', { pool });
    expect(chat.status).toBe('idle');
    expect(() => chat.send('hi')).toThrow(/not started/);
    flushSync();
    expect(chat.status).toBe('joining');
    const id = chat.send('hi');
    expect(chat.messages.at(chat.messages.length - 1)).toMatchObject({ id, status: 'pending' });
    chat.dispose();
    expect(pool.getSnapshot().leases).toBe(0);
    expect(() => chat.send('again')).toThrow(/not started/);
    expect(chat.messages.length).toBe(1);
  });

  it('an invalid room name is an error state, not a crash', () => {
    pool = testPool();
    const { value: chat, cleanup } = withRoot(() => useChatRoom('bad room!', { pool }));
    expect(chat.status).toBe('error');
    expect(chat.error).toMatchObject({ kind: 'invalid' });
    cleanup();
  });
});

describe('useNotificationFeed', () => {
  it('starts on mount and stops on cleanup', async () => {
    pool = testPool();
    const { value: feed, cleanup } = withRoot(() => useNotificationFeed({ pool }));
    expect(pool.getSnapshot().leases).toBe(1);
    expect(feed.unread).toBe(0);
    expect(feed.items).toEqual([]);
    expect(listeners()).toBeGreaterThan(0);
    feed.pauseToast('nope');
    await expect(feed.loadMore()).resolves.toBeUndefined();
    cleanup();
    expect(pool.getSnapshot().leases).toBe(0);
    await expect(feed.markAllRead()).rejects.toMatchObject({ kind: 'closed' });
  });
});

describe('usePoolMonitor', () => {
  it('follows the pool reactively and reports no memory outside Chromium', () => {
    pool = testPool();
    const seen: number[] = [];
    const { value: monitor, cleanup } = withRoot(() => {
      const m = usePoolMonitor(pool);
      $effect(() => {
        seen.push(m.leases);
      });
      return m;
    });
    expect(seen).toEqual([0]);
    const lease = pool.acquire('/');
    flushSync();
    expect(seen.at(-1)).toBe(1);
    expect(monitor.connections.map((c) => c.key)).toEqual(['/']);
    lease.release();
    flushSync();
    expect(seen.at(-1)).toBe(0);
    expect(monitor.memory).toBeNull();
    cleanup();
  });
});
