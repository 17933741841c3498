import type { ConnectionPool } from '@wirekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-svelte';
import ChatHarness from '../../../test/harness/ChatHarness.svelte';
import { startLocalServer, type LocalServer } from '../../../test/local-server.js';

let local: LocalServer;
let pool: ConnectionPool;

beforeEach(() => {
  local = startLocalServer();
  pool = local.pool('alice');
});
afterEach(() => local.close());

const panelState = (container: HTMLElement) =>
  container.querySelector('.wk-chat')?.getAttribute('data-state');

describe('ChatPanel while the first connection is being made', () => {
  it('says "joining", not "offline", until the connection has failed', async () => {
    local.memory.setLatency(300);
    const screen = await render(ChatHarness, { pool, room: `connecting-${Date.now()}` });
    expect(pool.getSnapshot().connections.map((c) => c.state)).toEqual(['connecting']);
    expect(panelState(screen.container)).toBe('joining');
    expect(screen.container.querySelector('[role="status"]')?.textContent).toBe('');
    await expect.poll(() => panelState(screen.container)).toBe('ready');
  });

  it('says "offline" when the first connection fails and is retried', async () => {
    local.memory.setAvailable(false);
    const screen = await render(ChatHarness, { pool, room: `down-${Date.now()}` });
    await expect.poll(() => panelState(screen.container)).toBe('offline');
    await expect.element(screen.getByRole('status')).toHaveTextContent(/Offline/);
  });

  it('announces going offline in a status region that was there before (and takes no space)', async () => {
    const screen = await render(ChatHarness, { pool, room: `status-${Date.now()}` });
    await expect.poll(() => panelState(screen.container)).toBe('ready');
    // A live region inserted together with its text is often not read out: it must exist first.
    const status = screen.container.querySelector<HTMLElement>('[role="status"]');
    expect(status).not.toBeNull();
    expect(status!.textContent).toBe('');
    expect(status!.getBoundingClientRect().height).toBe(0);
    local.memory.setAvailable(false);
    await expect.poll(() => panelState(screen.container)).toBe('offline');
    expect(screen.container.querySelector('[role="status"]')).toBe(status);
    expect(status!.textContent).toMatch(/^Offline/);
    expect(status!.getBoundingClientRect().height).toBeGreaterThan(0);
  });
});
