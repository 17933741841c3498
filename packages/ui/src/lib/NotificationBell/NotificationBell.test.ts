import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import BellSnippets from '../../../test/harness/BellSnippets.svelte';
import { expectNoAxeViolations } from '../../../test/axe.js';
import { localWirekit } from '../../../test/local-wirekit.js';
import { ja } from '../labels/index.js';
import NotificationBell from './NotificationBell.svelte';

let wk: ReturnType<typeof localWirekit>;

beforeEach(() => {
  wk = localWirekit();
  // jsdom does not navigate; the tests look at hrefs instead.
  document.addEventListener('click', preventNavigation);
});

afterEach(() => {
  cleanup();
  wk.pool.destroy();
  document.removeEventListener('click', preventNavigation);
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function preventNavigation(event: MouseEvent) {
  if ((event.target as Element | null)?.closest('a')) event.preventDefault();
}

const bell = () => screen.getByRole('button', { name: /^Notifications/ });

/**
 * Waits until the first list has loaded (the popover leaves "Loading…"). Notifications pushed
 * while that first request is in flight can be overwritten by its older answer (a core
 * NotificationFeed race, see the package notes), so counting tests start after it.
 */
async function loaded() {
  await fireEvent.click(bell());
  await within(screen.getByRole('dialog')).findByText('You are all caught up.');
  await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
}

async function openPopover() {
  await fireEvent.click(bell());
  return screen.getByRole('dialog', { name: 'Notifications' });
}

describe('NotificationBell over the memory transport', () => {
  it('counts unread notifications in the badge and the accessible name, capped at 99+', async () => {
    render(NotificationBell, { pool: wk.pool });
    expect(bell()).toHaveAccessibleName('Notifications');
    expect(screen.queryByTestId('wk-bell-badge')).toBeNull();
    await loaded();

    await wk.notify({ title: 'one' });
    await wk.notify({ title: 'two' });
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 2 unread'));
    expect(screen.getByTestId('wk-bell-badge')).toHaveTextContent(/^2$/);

    await Promise.all(Array.from({ length: 98 }, (_, i) => wk.notify({ title: `n${i}` })));
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 99+ unread'));
    expect(screen.getByTestId('wk-bell-badge')).toHaveTextContent(/^99\+$/);
  }, 15_000);

  it('opens a dialog with focus inside; Escape closes it and focus returns to the bell', async () => {
    await wk.notify({ title: 'Hello', body: 'World' });
    render(NotificationBell, { pool: wk.pool });
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 1 unread'));
    expect(bell()).toHaveAttribute('aria-expanded', 'false');

    const dialog = await openPopover();
    expect(bell()).toHaveAttribute('aria-expanded', 'true');
    await waitFor(() => expect(dialog).toContainElement(document.activeElement as HTMLElement));

    await fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(bell()).toHaveFocus();
    expect(bell()).toHaveAttribute('aria-expanded', 'false');
  });

  it('closes on a press outside, not on a press inside', async () => {
    render(NotificationBell, { pool: wk.pool });
    const dialog = await openPopover();
    await fireEvent.pointerDown(dialog);
    expect(screen.getByRole('dialog')).toBeVisible();
    await fireEvent.pointerDown(document.body);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(bell()).toHaveFocus();
  });

  it('closes when focus leaves it (Tab out), leaving focus where it went', async () => {
    const outside = document.createElement('button');
    outside.textContent = 'Elsewhere';
    document.body.append(outside);
    render(NotificationBell, { pool: wk.pool });
    const dialog = await openPopover();
    const inside = within(dialog).getByRole('button', { name: 'Mark all as read' });
    await fireEvent.focusOut(inside, { relatedTarget: bell() });
    expect(screen.getByRole('dialog')).toBeVisible();
    outside.focus();
    await fireEvent.focusOut(inside, { relatedTarget: outside });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(outside).toHaveFocus();
    outside.remove();
  });

  it('lists newest first with title, body, relative time and link; a click marks read', async () => {
    await wk.notify({ title: 'Older', body: 'first body', url: '/inbox/1' });
    await wk.notify({ title: 'Newer', url: 'https://example.com/x' });
    render(NotificationBell, { pool: wk.pool });
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 2 unread'));
    const dialog = await openPopover();
    const items = within(dialog).getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.wk-bell-item__title')?.textContent)).toEqual([
      'Newer',
      'Older',
    ]);
    expect(items[1]).toHaveTextContent('first body');
    expect(items[1]?.querySelector('time')).toHaveTextContent('now');
    const link = within(dialog).getByRole('link', { name: /Older/ });
    expect(link).toHaveAttribute('href', '/inbox/1');
    expect(items[1]).toHaveAttribute('data-state', 'unread');

    await fireEvent.click(link);
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 1 unread'));
    expect(within(dialog).getAllByRole('listitem')[1]).toHaveAttribute('data-state', 'read');
  });

  it('marks all as read', async () => {
    for (const title of ['a', 'b', 'c']) await wk.notify({ title });
    render(NotificationBell, { pool: wk.pool });
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 3 unread'));
    const dialog = await openPopover();
    const markAll = within(dialog).getByRole('button', { name: 'Mark all as read' });
    await fireEvent.click(markAll);
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications'));
    expect(screen.queryByTestId('wk-bell-badge')).toBeNull();
    expect(markAll).toBeDisabled();
    for (const li of within(dialog).getAllByRole('listitem'))
      expect(li).toHaveAttribute('data-state', 'read');
    // Focus stayed in the dialog (not on <body>), so Escape still closes it.
    expect(document.activeElement).toBe(dialog);
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(dialog).not.toBeVisible());
    expect(document.activeElement).toBe(bell());
  });

  it('dismisses one item and shows the empty state when none is left', async () => {
    await wk.notify({ title: 'Only one' });
    render(NotificationBell, { pool: wk.pool });
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 1 unread'));
    const dialog = await openPopover();
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Dismiss: Only one' }));
    await waitFor(() => expect(dialog).toHaveTextContent('You are all caught up.'));
    expect(within(dialog).queryByRole('listitem')).toBeNull();
    expect(bell()).toHaveAccessibleName('Notifications');
  });

  it('renders hostile strings as text and links only http(s) or relative URLs', async () => {
    const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>';
    await wk.notify({ title: payload, body: payload, url: 'javascript:window.__xss=1' });
    await wk.notify({ title: 'data link', url: 'data:text/html,<script>1</script>' });
    render(NotificationBell, { pool: wk.pool });
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 2 unread'));
    const dialog = await openPopover();
    expect(dialog.querySelector('img, script')).toBeNull();
    expect(within(dialog).queryByRole('link')).toBeNull();
    const item = within(dialog)
      .getAllByRole('button', { name: /<img src=x/ })
      .find((b) => b.classList.contains('wk-bell-item__main')) as HTMLElement;
    expect(item.querySelector('.wk-bell-item__title')?.textContent).toBe(payload);
    await fireEvent.click(item);
    expect((window as { __xss?: number }).__xss).toBeUndefined();
  });

  it('toasts a new notification in a polite region; it hides after 5 s unless hovered or focused', async () => {
    vi.useFakeTimers({
      toFake: [
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'Date',
        'requestAnimationFrame',
        'cancelAnimationFrame',
      ],
    });
    render(NotificationBell, { pool: wk.pool });
    await vi.advanceTimersByTimeAsync(300);
    const region = screen.getByRole('region', { name: 'New notifications' });
    expect(region).toHaveAttribute('aria-live', 'polite');

    await wk.notify({ title: 'Deploy done' });
    await vi.advanceTimersByTimeAsync(300);
    const toast = within(region).getByRole('group', { name: 'Deploy done' });
    expect(toast).toHaveAttribute('data-state', 'running');
    await vi.advanceTimersByTimeAsync(4_500);
    expect(toast).toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(500);
    expect(within(region).queryByRole('group')).toBeNull();
    // The notification stays in the list: only its toast went.
    expect(bell()).toHaveAccessibleName('Notifications, 1 unread');

    await wk.notify({ title: 'Hover me' });
    await vi.advanceTimersByTimeAsync(300);
    const hovered = within(region).getByRole('group', { name: 'Hover me' });
    await fireEvent.pointerEnter(hovered);
    await vi.advanceTimersByTimeAsync(300);
    expect(hovered).toHaveAttribute('data-state', 'paused');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(hovered).toBeInTheDocument();
    // Focus inside also holds it, even after the pointer leaves.
    await fireEvent.focusIn(within(hovered).getByRole('button', { name: 'Hover me' }));
    await fireEvent.pointerLeave(hovered);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(hovered).toBeInTheDocument();
    await fireEvent.focusOut(within(hovered).getByRole('button', { name: 'Hover me' }));
    await vi.advanceTimersByTimeAsync(300);
    expect(hovered).toHaveAttribute('data-state', 'running');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(within(region).queryByRole('group')).toBeNull();
  });

  it('closes a toast with its button; toasts can be turned off', async () => {
    const { unmount } = render(NotificationBell, { pool: wk.pool });
    await loaded();
    await wk.notify({ title: 'Close me' });
    const region = screen.getByRole('region', { name: 'New notifications' });
    const toast = await within(region).findByRole('group', { name: 'Close me' });
    await fireEvent.click(within(toast).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(within(region).queryByRole('group')).toBeNull());
    unmount();

    render(NotificationBell, { pool: wk.pool, toasts: false });
    await wk.notify({ title: 'Silent' });
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 2 unread'));
    expect(screen.queryByRole('region', { name: 'New notifications' })).toBeNull();
  });

  it('beeps through Web Audio for new notifications only when sound is on', async () => {
    const started = vi.fn();
    class FakeAudioContext {
      currentTime = 0;
      destination = {};
      createOscillator() {
        return {
          type: '',
          frequency: { value: 0 },
          connect: (node: unknown) => node,
          start: started,
          stop: () => {},
        };
      }
      createGain() {
        return {
          gain: { setValueAtTime: () => {}, exponentialRampToValueAtTime: () => {} },
          connect: (node: unknown) => node,
        };
      }
    }
    vi.stubGlobal('AudioContext', FakeAudioContext);
    await wk.notify({ title: 'before mount' });
    const { unmount } = render(NotificationBell, { pool: wk.pool });
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 1 unread'));
    await wk.notify({ title: 'quiet' });
    await screen.findByRole('group', { name: 'quiet' });
    expect(started).not.toHaveBeenCalled();
    unmount();

    render(NotificationBell, { pool: wk.pool, sound: true });
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 2 unread'));
    expect(started).not.toHaveBeenCalled();
    await wk.notify({ title: 'loud' });
    await screen.findByRole('group', { name: 'loud' });
    expect(started).toHaveBeenCalledTimes(1);
  });

  it('takes custom item and empty snippets, a bindable open and a bindable ref', async () => {
    render(BellSnippets, { pool: wk.pool });
    expect(screen.getByTestId('ref')).toHaveTextContent('bound');
    await fireEvent.click(screen.getByRole('button', { name: 'Open from outside' }));
    const dialog = screen.getByRole('dialog');
    await within(dialog).findByText('Nothing here, custom');
    await wk.notify({ title: 'Custom' });
    const item = await within(dialog).findByRole('button', { name: /★ Custom \(new, now\)/ });
    await fireEvent.click(item);
    await within(dialog).findByRole('button', { name: /★ Custom \(read/ });
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.getByTestId('open-state')).toHaveTextContent('closed');
  });

  it('speaks Japanese with the shipped label set', async () => {
    await wk.notify({ title: 'こんにちは' });
    render(NotificationBell, { pool: wk.pool, labels: ja.bell });
    const button = await screen.findByRole('button', { name: '通知、未読 1 件' });
    await fireEvent.click(button);
    expect(screen.getByRole('dialog', { name: '通知' })).toHaveTextContent('すべて既読にする');
  });

  it('takes its labels from the setLabels context; its own labels prop still wins', async () => {
    await wk.notify({ title: 'こんにちは' });
    const context = new Map([[Symbol.for('wirekit.ui.labels'), ja]]);
    render(NotificationBell, { props: { pool: wk.pool }, context });
    const button = await screen.findByRole('button', { name: '通知、未読 1 件' });
    await fireEvent.click(button);
    expect(screen.getByRole('dialog', { name: '通知' })).toHaveTextContent('すべて既読にする');
    cleanup();

    render(NotificationBell, {
      props: { pool: wk.pool, labels: { markAllRead: 'Tout lire' } },
      context,
    });
    await fireEvent.click(await screen.findByRole('button', { name: '通知、未読 1 件' }));
    expect(screen.getByRole('dialog', { name: '通知' })).toHaveTextContent('Tout lire');
  });

  it('passes rest props and data-state to the root and binds ref', async () => {
    render(NotificationBell, {
      pool: wk.pool,
      id: 'my-bell',
      'data-testid': 'root',
      class: 'mine',
    });
    const root = screen.getByTestId('root');
    expect(root).toHaveAttribute('id', 'my-bell');
    expect(root).toHaveClass('wk-root', 'wk-bell', 'mine');
    expect(root).toHaveAttribute('data-state', 'closed');
    await openPopover();
    expect(root).toHaveAttribute('data-state', 'open');
  });

  it('has no axe violations closed, open with items, and open empty', async () => {
    await wk.notify({ title: 'Axe', body: 'check', url: '/a' });
    await wk.notify({ title: 'Plain' });
    const { container } = render(NotificationBell, { pool: wk.pool });
    await waitFor(() => expect(bell()).toHaveAccessibleName('Notifications, 2 unread'));
    await expectNoAxeViolations(container);
    await openPopover();
    await expectNoAxeViolations(container);
    await fireEvent.click(screen.getByRole('button', { name: 'Mark all as read' }));
    await expectNoAxeViolations(container);
  });
});
