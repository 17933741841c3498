import { createChatRoom, createPool, socketio, type ConnectionPool } from '@wirekit/core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import ChatHarness from '../../../test/harness/ChatHarness.svelte';

const serverUrl = inject('serverUrl');
const pools: ConnectionPool[] = [];
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  for (const pool of pools.splice(0)) pool.destroy();
});

function pool(user: string): ConnectionPool {
  const p = createPool({
    url: serverUrl,
    transport: socketio(),
    auth: () => `token-${user}`,
    heartbeat: false,
    idleTimeout: 0,
  });
  pools.push(p);
  return p;
}

describe('ChatPanel over a real Socket.IO server', () => {
  it('sends, receives, shows typing and presence between two users', async () => {
    const room = `real-${Date.now()}`;
    const screen = await render(ChatHarness, { pool: pool('alice'), room });
    await expect
      .poll(() => screen.container.querySelector('.wk-chat')?.getAttribute('data-state'))
      .toBe('ready');

    // Bob joins the same room from his own connection, through the core model.
    const lease = pool('bob').acquire('/');
    const bob = createChatRoom(lease.connection, { room });
    const off = bob.subscribe(() => {});
    bob.start();
    cleanups.push(() => {
      off();
      bob.dispose();
      lease.release();
    });
    await expect.poll(() => bob.getSnapshot().status).toBe('joined');
    await expect.element(screen.getByText('2 online')).toBeVisible();

    bob.notifyTyping();
    await expect.element(screen.getByText('Bob is typing…')).toBeVisible();
    bob.send('hello from a real server');
    await expect
      .element(screen.getByRole('log').getByText('hello from a real server'))
      .toBeVisible();
    expect(screen.container.querySelector('[aria-live="polite"]')?.textContent).toBe(
      'Bob: hello from a real server',
    );

    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'hi Bob{Enter}');
    await expect
      .poll(() => screen.container.querySelector('[data-own="true"]')?.getAttribute('data-state'))
      .toBe('sent');
    await expect
      .poll(() =>
        bob
          .getSnapshot()
          .messages.slice()
          .map((m) => [m.user.id, m.text, m.own]),
      )
      .toContainEqual(['alice', 'hi Bob', false]);
  });
});
