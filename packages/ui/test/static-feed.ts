import type { NotificationFeedLike } from '../src/lib/NotificationBell/types.js';

/**
 * A NotificationBell feed that never changes by itself: an empty, ready feed whose actions do
 * nothing, with `overrides` on top (a status, items, refusing actions).
 */
export function staticFeed(overrides: Partial<NotificationFeedLike> = {}): NotificationFeedLike {
  return {
    items: [],
    unread: 0,
    toasts: [],
    status: 'ready',
    markRead: async () => {},
    markAllRead: async () => {},
    dismiss: async () => {},
    dismissToast: () => {},
    pauseToast: () => {},
    resumeToast: () => {},
    ...overrides,
  } as NotificationFeedLike;
}
