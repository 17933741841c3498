import type { Notification } from '@wirekit/core/protocol';
import { describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import NotificationBell from './NotificationBell.svelte';
import { staticFeed } from '../../../test/static-feed.js';
import type { NotificationFeedLike } from './types.js';

const notification = {
  id: 'n1',
  kind: 'info',
  title: 'Refused',
  read: false,
  createdAt: Date.now(),
} as Notification;

/**
 * A feed whose server refuses every change (a real feed rolls its optimistic state back and
 * rejects). `handled[i]` turns true once the bell attaches a handler to the i-th refusal.
 */
function refusingFeed(handled: boolean[]): NotificationFeedLike {
  const refuse = () => {
    const index = handled.push(false) - 1;
    const promise = Promise.reject(new Error('forbidden'));
    const then = promise.then.bind(promise);
    promise.then = ((...args: Parameters<typeof then>) => {
      handled[index] = true;
      return then(...args);
    }) as typeof promise.then;
    return promise;
  };
  return staticFeed({
    items: [notification],
    unread: 1,
    markRead: refuse,
    markAllRead: refuse,
    dismiss: refuse,
  });
}

describe('NotificationBell when the server refuses a change', () => {
  it('handles the refusal of mark read, mark all read and dismiss (no unhandled rejection)', async () => {
    const handled: boolean[] = [];
    const screen = await render(NotificationBell, { feed: refusingFeed(handled) });
    await userEvent.click(screen.getByRole('button', { name: /^Notifications/ }));
    const dialog = screen.getByRole('dialog');
    // DOM clicks: this test is about the promises, not about where the popover lays out.
    (
      dialog
        .getByRole('button', { name: /Refused/ })
        .first()
        .element() as HTMLElement
    ).click();
    (dialog.getByRole('button', { name: 'Mark all as read' }).element() as HTMLElement).click();
    (dialog.getByRole('button', { name: 'Dismiss: Refused' }).element() as HTMLElement).click();
    expect(handled).toEqual([true, true, true]);
  });
});
