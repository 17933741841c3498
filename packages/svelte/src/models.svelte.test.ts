import { fireEvent, render } from '@testing-library/svelte';
import {
  createChatRoom,
  microtaskScheduler,
  type BatchScheduler,
  type ConnectionPool,
} from '@wirekit/core';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import ChatHarness from '../test/harness/ChatHarness.svelte';
import { notify, stats, testPool } from '../test/pool.js';
import { withRoot } from '../test/runes.svelte.js';
import { useChatRoom, useNotificationFeed, usePoolMonitor } from './index.js';

let pool: ConnectionPool;
afterEach(() => pool?.destroy());

const members = async (...rooms: string[]) => (await stats(...rooms)).members;

describe('useChatRoom', () => {
  it('joins on mount; a room prop change leaves the old room and joins the new one', async () => {
    pool = testPool();
    const view = render(ChatHarness, { props: { pool, room: 'svelte-a' } });
    expect(view.getByRole('heading').textContent).toBe('svelte-a');
    await expect.poll(() => view.getByTestId('status').textContent).toBe('joined');
    expect(view.getByTestId('members').textContent).toBe('alice');
    expect(view.getByTestId('member-count').textContent).toBe('1');
    expect(await members('svelte-a', 'svelte-b')).toEqual({ 'svelte-a': 1, 'svelte-b': 0 });

    await fireEvent.click(view.getByRole('button', { name: 'Send' }));
    await expect
      .poll(() => view.getByRole('listitem').textContent)
      .toBe('hello from svelte-a (sent)');

    await view.rerender({ pool, room: 'svelte-b' });
    expect(view.getByRole('heading').textContent).toBe('svelte-b');
    await expect.poll(() => view.getByTestId('status').textContent).toBe('joined');
    await expect
      .poll(() => members('svelte-a', 'svelte-b'))
      .toEqual({ 'svelte-a': 0, 'svelte-b': 1 });
    // Same lease and socket throughout; room b's history does not show room a's message.
    expect(pool.getSnapshot().leases).toBe(1);
    expect(view.queryAllByRole('listitem')).toHaveLength(0);

    view.unmount();
    await expect.poll(() => members('svelte-b')).toEqual({ 'svelte-b': 0 });
    expect(pool.getSnapshot().leases).toBe(0);
    await expect.poll(() => pool.getSnapshot().connections.length).toBe(0);
    expect(pool.getSnapshot()).toMatchObject({ listeners: 0, timers: 0 });
  });

  it('a getter whose dependencies change but whose value does not keeps the room joined', async () => {
    pool = testPool();
    // SvelteKit hands a page a new `data` object on every navigation and invalidation.
    let data = $state({ room: 'svelte-same' });
    const { value: chat, cleanup } = withRoot(() => useChatRoom(() => data.room, { pool }));
    await expect.poll(() => chat.status).toBe('joined');
    const id = chat.send('still here');
    await expect.poll(() => chat.messages.at(-1)?.status).toBe('sent');
    const before = chat.snapshot;
    data = { room: 'svelte-same' };
    flushSync();
    // Same room: no leave, no re-join, no history reload.
    expect(chat.status).toBe('joined');
    expect(chat.snapshot).toBe(before);
    expect(chat.messages.at(-1)).toMatchObject({ clientId: id, status: 'sent' });
    cleanup();
  });

  it('effects and templates see the notified snapshot, not a newer one the model has not announced', async () => {
    pool = testPool();
    // A frame scheduler we run by hand: inbound changes wait for it, as for the next frame.
    let pending: (() => void)[] = [];
    const scheduler: BatchScheduler = {
      schedule(fn) {
        pending.push(fn);
        return () => (pending = pending.filter((f) => f !== fn));
      },
    };
    const frame = () => {
      for (const fn of pending.splice(0)) fn();
      flushSync();
    };
    let unrelated = $state(0);
    const a: number[] = [];
    const b: number[] = [];
    const { value: chat, cleanup } = withRoot(() => {
      const c = useChatRoom('svelte-tear', { pool, scheduler });
      $effect(() => {
        a.push(c.messages.length);
      });
      $effect(() => {
        void unrelated;
        b.push(c.messages.length);
      });
      return c;
    });
    await expect.poll(() => (frame(), chat.status)).toBe('joined');
    const before = a.at(-1);

    const bobPool = testPool('bob');
    const bob = createChatRoom(bobPool.acquire('/').connection, {
      room: 'svelte-tear',
      scheduler: microtaskScheduler,
    });
    bob.start();
    try {
      await expect.poll(() => bob.getSnapshot().status).toBe('joined');
      bob.send('from bob');
      // The model has it (an event handler reading now gets it) but has not announced it yet.
      await expect.poll(() => chat.messages.length).toBe((before ?? 0) + 1);
      unrelated = 1; // re-runs one effect for another reason
      flushSync();
      expect(b.at(-1)).toBe(a.at(-1));
      frame();
      expect(a.at(-1)).toBe((before ?? 0) + 1);
      expect(b.at(-1)).toBe((before ?? 0) + 1);
    } finally {
      bob.dispose();
      bobPool.destroy();
      cleanup();
    }
  });

  it('outside a component: dispose() leaves the room and releases; send refuses after', async () => {
    pool = testPool();
    const chat = useChatRoom('svelte-solo', { pool });
    expect(chat.status).toBe('idle');
    expect(() => chat.send('hi')).toThrow(/not started/);
    flushSync();
    await expect.poll(() => chat.status).toBe('joined');
    expect(chat.self?.id).toBe('alice');
    const id = chat.send('hi');
    expect(chat.messages.at(chat.messages.length - 1)).toMatchObject({ id, status: 'pending' });
    await expect.poll(() => chat.messages.at(chat.messages.length - 1)?.status).toBe('sent');
    chat.dispose();
    expect(pool.getSnapshot().leases).toBe(0);
    await expect.poll(() => members('svelte-solo')).toEqual({ 'svelte-solo': 0 });
    expect(() => chat.send('again')).toThrow(/not started/);
  });

  it('on a destroyed pool it mounts with its initial state and refuses to send', async () => {
    pool = testPool();
    pool.destroy();
    const view = render(ChatHarness, { props: { pool, room: 'svelte-gone' } });
    expect(view.getByTestId('status').textContent).toBe('idle');
    view.unmount();
    const { value: chat, cleanup } = withRoot(() => useChatRoom('svelte-gone', { pool }));
    expect(() => chat.send('hi')).toThrow(/not started/);
    cleanup();
    const root = withRoot(() => useNotificationFeed({ pool }));
    expect(root.value.status).toBe('idle');
    await expect(root.value.markAllRead()).rejects.toMatchObject({ kind: 'closed' });
    root.cleanup();
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
  it('loads, receives a notification from the server, marks all read; stops on cleanup', async () => {
    pool = testPool('bob');
    const { value: feed, cleanup } = withRoot(() =>
      useNotificationFeed({ pool, toastDuration: 0 }),
    );
    expect(pool.getSnapshot().leases).toBe(1);
    await expect.poll(() => feed.status).toBe('ready');
    const unread = feed.unread;
    await notify('bob', 'Build passed');
    await expect.poll(() => feed.items[0]?.title).toBe('Build passed');
    expect(feed.unread).toBe(unread + 1);
    expect(feed.toasts.map((t) => t.notification.title)).toEqual(['Build passed']);
    feed.dismissToast(feed.toasts[0]?.id ?? '');
    await expect.poll(() => feed.toasts.length).toBe(0);
    await feed.markAllRead();
    expect(feed.unread).toBe(0);
    cleanup();
    expect(pool.getSnapshot().leases).toBe(0);
    await expect(feed.markAllRead()).rejects.toMatchObject({ kind: 'closed' });
  });
});

/** A Chromium-like `performance.memory` (tests set `used`), on fake timers until the test ends. */
function fakeMemory() {
  const heap = { used: 1_000 };
  Object.defineProperty(performance, 'memory', {
    configurable: true,
    get: () => ({ usedJSHeapSize: heap.used, totalJSHeapSize: 4_000, jsHeapSizeLimit: 8_000 }),
  });
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  onTestFinished(() => {
    vi.useRealTimers();
    Reflect.deleteProperty(performance, 'memory');
  });
  return heap;
}

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
    expect(monitor.listeners).toBeGreaterThan(0); // the monitor's own pool subscription
    lease.release();
    flushSync();
    expect(seen.at(-1)).toBe(0);
    expect(monitor.memory).toBeNull();
    cleanup();
  });

  it('takes a memoryInterval that is not a positive number as the default, not a busy loop', () => {
    pool = testPool();
    const heap = fakeMemory();
    for (const memoryInterval of [0, -5, Number.NaN]) {
      const seen: (number | undefined)[] = [];
      const { cleanup } = withRoot(() => {
        const m = usePoolMonitor(pool, { memoryInterval });
        $effect(() => {
          seen.push(m.memory?.used);
        });
      });
      heap.used += 1;
      vi.advanceTimersByTime(1_999);
      flushSync();
      expect(seen).toHaveLength(1);
      vi.advanceTimersByTime(1);
      flushSync();
      expect(seen.at(-1)).toBe(heap.used);
      cleanup();
    }
  });

  it('refreshes performance.memory on an interval that exists only while read', async () => {
    pool = testPool();
    const heap = fakeMemory();
    const seen: (number | undefined)[] = [];
    const { cleanup } = withRoot(() => {
      const m = usePoolMonitor(pool, { memoryInterval: 1_000 });
      $effect(() => {
        seen.push(m.memory?.used);
      });
    });
    expect(seen).toEqual([1_000]);
    const timers = vi.getTimerCount();
    expect(timers).toBeGreaterThanOrEqual(1);
    heap.used = 2_000;
    vi.advanceTimersByTime(1_000);
    flushSync();
    expect(seen.at(-1)).toBe(2_000);
    cleanup();
    await Promise.resolve(); // createSubscriber stops a microtask after the last reader
    expect(vi.getTimerCount()).toBe(timers - 1);
  });
});
