import { describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { bellLabelsJa } from '../labels/bell.js';
import NotificationBell from './NotificationBell.svelte';
import { staticFeed } from '../../../test/static-feed.js';

/** A feed whose first list was refused (server error, timeout): nothing is known. */
const failedFeed = staticFeed({ status: 'error' });

describe('NotificationBell when the notifications could not be loaded', () => {
  it('says so instead of "You are all caught up."', async () => {
    const screen = await render(NotificationBell, { feed: failedFeed });
    await userEvent.click(screen.getByRole('button', { name: /^Notifications/ }));
    const dialog = screen.getByRole('dialog');
    await expect.element(dialog).toHaveTextContent('Could not load notifications.');
    await expect.element(dialog).not.toHaveTextContent('caught up');
  });

  it('in Japanese too', async () => {
    const screen = await render(NotificationBell, { feed: failedFeed, labels: bellLabelsJa });
    await userEvent.click(screen.getByRole('button', { name: '通知' }));
    await expect
      .element(screen.getByRole('dialog'))
      .toHaveTextContent('通知を読み込めませんでした。');
  });
});
