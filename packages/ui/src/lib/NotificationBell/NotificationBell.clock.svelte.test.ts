import { cleanup, render } from '@testing-library/svelte';
import type { Toast } from '@wirekit/core';
import type { Notification } from '@wirekit/core/protocol';
import { flushSync } from 'svelte';
import { afterEach, expect, it, vi } from 'vitest';
import NotificationBell from './NotificationBell.svelte';
import type { NotificationFeedLike } from './types.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const MINUTE = 60_000;

const notification = (id: string, createdAt: number): Notification => ({
  id,
  title: `Title ${id}`,
  createdAt,
  read: false,
});
const toastOf = (n: Notification): Toast => ({ id: n.id, notification: n, expiresAt: null });

/** A feed stub whose items and toasts are reactive, as `useNotificationFeed()` results are. */
function stubFeed(items: Notification[]) {
  const state = $state({ items, toasts: items.map(toastOf) });
  const feed: NotificationFeedLike = {
    get items() {
      return state.items;
    },
    get unread() {
      return state.items.length;
    },
    get toasts() {
      return state.toasts;
    },
    status: 'ready',
    markRead: async () => {},
    markAllRead: async () => {},
    dismiss: async () => {},
    dismissToast: () => {},
    pauseToast: () => {},
    resumeToast: () => {},
  };
  return {
    feed,
    push(n: Notification) {
      state.items = [n, ...state.items];
      state.toasts = [...state.toasts, toastOf(n)];
    },
  };
}

// Issue 8 (NotificationBell at 1,000 notifications/s): the relative-time clock used to restart
// on every toast change, moving `now` and recomputing every item once per frame of a burst.
it('a new toast does not restart the relative-time clock; the clock still ticks', () => {
  vi.useFakeTimers({ now: T0 });
  const { feed, push } = stubFeed([notification('old', T0 - 2 * MINUTE)]);
  const { container } = render(NotificationBell, { feed });
  const oldTime = () =>
    container.querySelector('.wk-bell__list .wk-bell__item:last-child time')?.textContent;
  expect(oldTime()).toBe('2 minutes ago');

  // Time passes without the 30 s tick (nothing fires); then a notification and its toast land.
  vi.setSystemTime(T0 + 10 * MINUTE);
  push(notification('new', T0 + 10 * MINUTE));
  flushSync();
  expect(container.querySelectorAll('.wk-bell__list .wk-bell__item')).toHaveLength(2);
  expect(oldTime()).toBe('2 minutes ago');

  // The next tick of the running clock refreshes every time.
  vi.advanceTimersByTime(30_000);
  flushSync();
  expect(oldTime()).toBe('12 minutes ago');
});
