import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import BellSnippets from '../../../test/harness/BellSnippets.svelte';
import { localWirekit } from '../../../test/local-wirekit.js';
import NotificationBell from './NotificationBell.svelte';

let wk: ReturnType<typeof localWirekit>;

beforeEach(() => {
  wk = localWirekit();
});
afterEach(async () => {
  await wk.destroy();
});

/** Focuses a control and activates it with the keyboard, as a keyboard user would. */
async function press(element: Element) {
  (element as HTMLElement).focus();
  await userEvent.keyboard('{Enter}');
}

async function openBell(screen: Awaited<ReturnType<typeof render>>, unread: number) {
  const bell = screen.getByRole('button', { name: /^Notifications/ });
  await expect.element(bell).toHaveAccessibleName(`Notifications, ${unread} unread`);
  await userEvent.click(bell);
  return { bell, dialog: screen.getByRole('dialog', { name: 'Notifications' }) };
}

describe('NotificationBell keeps keyboard focus when the focused control goes away', () => {
  it('dismissing an item keeps focus in the dialog; Escape still closes', async () => {
    for (const title of ['one', 'two', 'three']) await wk.notify({ title });
    const screen = await render(NotificationBell, { pool: wk.pool });
    const { bell, dialog } = await openBell(screen, 3);
    await press(dialog.getByRole('button', { name: 'Dismiss: two' }).element());
    await expect.element(dialog.getByText('two')).not.toBeInTheDocument();
    await expect.poll(() => document.activeElement).toBe(dialog.element());
    await userEvent.keyboard('{Escape}');
    await expect.element(dialog).not.toBeInTheDocument();
    expect(document.activeElement).toBe(bell.element());
  });

  it('dismissing the last item moves focus to the dialog', async () => {
    await wk.notify({ title: 'only' });
    const screen = await render(NotificationBell, { pool: wk.pool });
    const { bell, dialog } = await openBell(screen, 1);
    await press(dialog.getByRole('button', { name: 'Dismiss: only' }).element());
    await expect.element(dialog.getByText('You are all caught up.')).toBeVisible();
    await expect.poll(() => document.activeElement).toBe(dialog.element());
    await userEvent.keyboard('{Escape}');
    expect(document.activeElement).toBe(bell.element());
  });

  it('closing a toast moves focus to the bell', async () => {
    const screen = await render(NotificationBell, { pool: wk.pool, toastDuration: 0 });
    const region = screen.getByRole('region', { name: 'New notifications' });
    await wk.notify({ title: 'first' });
    const first = region.getByRole('group', { name: 'first' });
    await expect.element(first).toBeVisible();
    await press(first.getByRole('button', { name: 'Close' }).element());
    await expect.element(first).not.toBeInTheDocument();
    await expect
      .poll(() => document.activeElement)
      .toBe(screen.getByRole('button', { name: /^Notifications/ }).element());
  });

  it('closing the popover from outside (bind:open) returns focus to the bell', async () => {
    const screen = await render(BellSnippets, { pool: wk.pool });
    await userEvent.click(screen.getByRole('button', { name: 'Open from outside' }));
    const dialog = screen.getByRole('dialog');
    await expect.poll(() => dialog.element().contains(document.activeElement)).toBe(true);
    await screen.rerender({ open: false });
    await expect.element(dialog).not.toBeInTheDocument();
    await expect
      .poll(() => document.activeElement)
      .toBe(screen.getByRole('button', { name: /^Notifications/ }).element());
  });

  it('Escape on the bell closes the open popover; on a closed bell it is left to the page', async () => {
    await wk.notify({ title: 'one' });
    const screen = await render(NotificationBell, { pool: wk.pool });
    const { bell, dialog } = await openBell(screen, 1);
    await expect.poll(() => dialog.element().contains(document.activeElement)).toBe(true);
    // Shift+Tab from the first control goes back to the bell; the popover stays open.
    await userEvent.keyboard('{Shift>}{Tab}{/Shift}');
    expect(document.activeElement).toBe(bell.element());
    await expect.element(bell).toHaveAttribute('aria-expanded', 'true');
    await userEvent.keyboard('{Escape}');
    await expect.element(bell).toHaveAttribute('aria-expanded', 'false');
    expect(document.activeElement).toBe(bell.element());

    let pageSawEscape = false;
    const onKey = (event: KeyboardEvent) => (pageSawEscape ||= event.key === 'Escape');
    document.addEventListener('keydown', onKey);
    await userEvent.keyboard('{Escape}');
    document.removeEventListener('keydown', onKey);
    expect(pageSawEscape).toBe(true);
  });
});

describe('NotificationBell keyboard order with toasts on screen', () => {
  function pageButton(name: string) {
    const button = document.createElement('button');
    button.textContent = name;
    onTestFinished(() => button.remove());
    return button;
  }

  it('Tab out of the open popover goes on to the page after the bell, not into the toasts', async () => {
    const before = pageButton('Before');
    const after = pageButton('After');
    document.body.prepend(before);
    const screen = await render(NotificationBell, { pool: wk.pool, toastDuration: 0 });
    document.body.append(after);
    await wk.notify({ title: 'one' });
    const toast = screen
      .getByRole('region', { name: 'New notifications' })
      .getByRole('group', { name: 'one' });
    await expect.element(toast).toBeVisible();
    const { bell, dialog } = await openBell(screen, 1);
    const panel = dialog.element();
    await expect.poll(() => panel.contains(document.activeElement)).toBe(true);
    // Through the popover's controls (mark all read, the item, its dismiss) and out of it.
    for (let i = 0; i < 10 && panel.contains(document.activeElement); i += 1) {
      await userEvent.keyboard('{Tab}');
    }
    expect(document.activeElement).toBe(after);
    // Focus left the popover: it closed, as before; the toast is still there.
    await expect.element(bell).toHaveAttribute('aria-expanded', 'false');
    await expect.element(toast).toBeVisible();
    // Back again: the bell, then the toast, still reachable by keyboard.
    await userEvent.keyboard('{Shift>}{Tab}{/Shift}');
    expect(document.activeElement).toBe(bell.element());
    await userEvent.keyboard('{Shift>}{Tab}{/Shift}');
    expect(document.activeElement).toBe(toast.getByRole('button', { name: 'Close' }).element());
  });
});
