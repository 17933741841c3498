import { createPool, socketio, type ConnectionPool } from '@wirekit/core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { expectNoAxeViolations } from '../../../test/axe.js';
import ConnectionMonitor from './ConnectionMonitor.svelte';

const flakyUrl = inject('flakyServerUrl');
let pool: ConnectionPool | undefined;

afterEach(async () => {
  pool?.destroy();
  await fetch(`${flakyUrl}/__up`, { method: 'POST' });
});

describe('ConnectionMonitor over a real Socket.IO server', () => {
  it('follows the server going down and back, with a retry countdown, without moving the page', async () => {
    pool = createPool({
      url: flakyUrl,
      transport: socketio(),
      auth: () => 'token-alice',
      heartbeat: false,
      idleTimeout: 0,
      backoff: { initialDelay: 2_000, maxDelay: 2_000, jitter: 0 },
    });
    const host = document.createElement('p');
    host.textContent = 'Host page content';
    document.body.prepend(host);
    const before = host.getBoundingClientRect();
    const bodyHeight = document.body.scrollHeight;

    const screen = await render(ConnectionMonitor, { pool, position: 'top-left' });
    const overlay = screen.getByRole('region', { name: 'wirekit connections' });
    await expect.element(overlay).toBeVisible();
    // Fixed in its corner: the host page does not move or grow.
    const style = getComputedStyle(overlay.element());
    expect(style.position).toBe('fixed');
    const box = overlay.element().getBoundingClientRect();
    expect(box.top).toBeLessThan(30);
    expect(box.left).toBeLessThan(30);
    expect(host.getBoundingClientRect()).toEqual(before);
    expect(document.body.scrollHeight).toBe(bodyHeight);

    const lease = pool.acquire('/');
    const state = overlay.getByText(/^(idle|connecting|connected|reconnecting|failed|closed)$/);
    await expect.element(state).toHaveTextContent('connected');
    await expect.element(overlay).toHaveTextContent('1 connection');
    await expect.element(overlay).toHaveTextContent('socket.io');
    // Chromium exposes performance.memory.
    await expect.element(overlay).toHaveTextContent(/JS heap\s*\d/);
    await expectNoAxeViolations(screen.container);

    await fetch(`${flakyUrl}/__down`, { method: 'POST' });
    await expect.element(state).toHaveTextContent('reconnecting');
    await expect.element(overlay).toHaveTextContent(/retry in [12]s/);
    await expect.element(overlay).toHaveTextContent(/Last error\s*server/);
    // A failed attempt is counted while the server stays down.
    await expect
      .element(overlay.getByText('Attempt').element().nextElementSibling as HTMLElement, {
        timeout: 5_000,
      })
      .toHaveTextContent(/^1/);
    await expectNoAxeViolations(screen.container);

    await fetch(`${flakyUrl}/__up`, { method: 'POST' });
    await expect.element(state, { timeout: 5_000 }).toHaveTextContent('connected');
    await expect.element(overlay).not.toHaveTextContent('retry in');

    // Keyboard: Tab reaches the toggle; Enter collapses; the page still has not moved.
    const toggle = overlay.getByRole('button');
    (toggle.element() as HTMLElement).focus();
    await userEvent.keyboard('{Enter}');
    await expect.element(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect.element(overlay).toHaveAttribute('data-state', 'collapsed');
    expect(host.getBoundingClientRect()).toEqual(before);
    await userEvent.keyboard('{Enter}');
    await expect.element(toggle).toHaveAttribute('aria-expanded', 'true');

    lease.release();
    host.remove();
  });
});
