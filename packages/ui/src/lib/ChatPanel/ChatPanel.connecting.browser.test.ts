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
afterEach(() => {
  pool.destroy();
  local.close();
});

const panelState = (container: HTMLElement) =>
  container.querySelector('.wk-chat')?.getAttribute('data-state');

describe('ChatPanel while the first connection is being made', () => {
  it('says "joining", not "offline", until the connection has failed', async () => {
    local.memory.setLatency(300);
    const screen = await render(ChatHarness, { pool, room: `connecting-${Date.now()}` });
    expect(pool.getSnapshot().connections.map((c) => c.state)).toEqual(['connecting']);
    expect(panelState(screen.container)).toBe('joining');
    expect(screen.container.querySelector('[role="status"]')).toBeNull();
    await expect.poll(() => panelState(screen.container)).toBe('ready');
  });

  it('says "offline" when the first connection fails and is retried', async () => {
    local.memory.setAvailable(false);
    const screen = await render(ChatHarness, { pool, room: `down-${Date.now()}` });
    await expect.poll(() => panelState(screen.container)).toBe('offline');
    await expect.element(screen.getByRole('status')).toHaveTextContent(/Offline/);
  });
});
