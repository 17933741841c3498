import { createPool, socketio, type ConnectionPool } from '@wirekit/core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { expectNoAxeViolations } from '../../../test/axe.js';
import NotificationBell from './NotificationBell.svelte';

const serverUrl = inject('serverUrl');
let pool: ConnectionPool | undefined;

afterEach(() => pool?.destroy());

/** Notifies a user through the real server (`wirekit.notify`). */
async function notify(user: string, input: { title: string; body?: string; url?: string }) {
  const res = await fetch(`${serverUrl}/__notify`, {
    method: 'POST',
    body: JSON.stringify({ user, ...input }),
  });
  expect(res.ok).toBe(true);
}

describe('NotificationBell over a real Socket.IO server', () => {
  it('counts, toasts, opens with focus, closes on Escape, marks all read', async () => {
    // A user of its own: the server keeps notifications for the whole run.
    const user = 'carol';
    pool = createPool({
      url: serverUrl,
      transport: socketio(),
      auth: () => `token-${user}`,
      heartbeat: false,
      idleTimeout: 0,
    });
    const screen = await render(NotificationBell, { pool });
    const bell = screen.getByRole('button', { name: /^Notifications/ });
    await expect.element(bell).toHaveAccessibleName('Notifications');
    // Wait for the first list before pushing (see the note in NotificationBell.test.ts).
    await userEvent.click(bell);
    await expect.element(screen.getByText('You are all caught up.')).toBeVisible();
    await userEvent.keyboard('{Escape}');

    await notify(user, { title: 'Build passed', body: '<b>main</b> is green', url: '/builds/7' });
    await expect.element(bell).toHaveAccessibleName('Notifications, 1 unread');
    const toasts = screen.getByRole('region', { name: 'New notifications' });
    const toast = toasts.getByRole('group', { name: 'Build passed' });
    await expect.element(toast).toBeVisible();
    await userEvent.hover(toast);
    await expect.element(toast).toHaveAttribute('data-state', 'paused');
    await userEvent.unhover(toast);
    await expect.element(toast).toHaveAttribute('data-state', 'running');

    await notify(user, { title: 'Second' });
    await expect.element(bell).toHaveAccessibleName('Notifications, 2 unread');

    await userEvent.click(bell);
    const dialog = screen.getByRole('dialog', { name: 'Notifications' });
    await expect.element(dialog).toBeVisible();
    expect(dialog.element().contains(document.activeElement)).toBe(true);
    await expect
      .element(dialog.getByRole('link', { name: /Build passed/ }))
      .toHaveAttribute('href', '/builds/7');
    await expect.element(dialog.getByText('<b>main</b> is green')).toBeVisible();
    // The panel lays out beside the bell, inside the viewport.
    const rect = dialog.element().getBoundingClientRect();
    expect(rect.width).toBeGreaterThan(200);
    expect(rect.right).toBeLessThanOrEqual(window.innerWidth);
    await expectNoAxeViolations(screen.container);

    await userEvent.keyboard('{Escape}');
    await expect.element(dialog).not.toBeInTheDocument();
    expect(document.activeElement).toBe(bell.element());

    await userEvent.click(bell);
    await userEvent.click(screen.getByRole('button', { name: 'Mark all as read' }));
    await expect.element(bell).toHaveAccessibleName('Notifications');

    // The server agrees: a fresh feed loads zero unread.
    screen.unmount();
    const again = await render(NotificationBell, { pool });
    await userEvent.click(again.getByRole('button', { name: /^Notifications/ }));
    await expect.element(again.getByRole('listitem').first()).toHaveAttribute('data-state', 'read');
    await expect
      .element(again.getByRole('button', { name: /^Notifications/ }))
      .toHaveAccessibleName('Notifications');
  });

  it('has no axe violations (with colour contrast) in the dark theme', async () => {
    pool = createPool({
      url: serverUrl,
      transport: socketio(),
      auth: () => 'token-bob',
      heartbeat: false,
      idleTimeout: 0,
    });
    const screen = await render(NotificationBell, { pool, 'data-theme': 'dark' });
    await notify('bob', { title: 'Dark', body: 'mode', url: 'https://example.com' });
    await expect
      .element(screen.getByRole('button', { name: /^Notifications/ }))
      .toHaveAccessibleName(/unread/);
    await userEvent.click(screen.getByRole('button', { name: /^Notifications/ }));
    await expect.element(screen.getByRole('dialog')).toBeVisible();
    await expectNoAxeViolations(screen.container);
  });
});
