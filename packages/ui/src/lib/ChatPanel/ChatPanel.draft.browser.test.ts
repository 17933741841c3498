import type { ConnectionPool } from '@wirekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
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

async function mountWithOwnMessage(text: string, room = `draft-${Date.now()}`) {
  const screen = await render(ChatHarness, { pool, room });
  await expect
    .poll(() => screen.container.querySelector('.wk-chat')?.getAttribute('data-state'))
    .toBe('ready');
  const box = screen.getByRole('textbox', { name: 'Message' });
  await userEvent.type(box, `${text}{Enter}`);
  await expect
    .poll(() => screen.container.querySelector('[data-own="true"]')?.getAttribute('data-state'))
    .toBe('sent');
  return { screen, box };
}

describe('ChatPanel keeps an unsent draft while a message is edited', () => {
  it('brings the draft back when the edit is cancelled', async () => {
    const { screen, box } = await mountWithOwnMessage('sent earlier');
    await userEvent.type(box, 'half-written reply');
    await userEvent.click(screen.getByRole('button', { name: 'Edit message' }));
    await expect.element(box).toHaveValue('sent earlier');
    await userEvent.keyboard('{Escape}');
    await expect.element(box).toHaveValue('half-written reply');
  });

  it('brings the draft back once the edit is saved', async () => {
    const { screen, box } = await mountWithOwnMessage('typo heer');
    await userEvent.type(box, 'half-written reply');
    await userEvent.click(screen.getByRole('button', { name: 'Edit message' }));
    await userEvent.fill(box, 'typo here');
    await userEvent.keyboard('{Enter}');
    await expect.element(screen.getByText('typo here', { exact: true })).toBeVisible();
    await expect.element(box).toHaveValue('half-written reply');
    await expect.element(screen.getByText('Editing message')).not.toBeInTheDocument();
  });

  it('ends the edit when the panel moves to another room (the message is not in it)', async () => {
    const { screen, box } = await mountWithOwnMessage('in the first room', `first-${Date.now()}`);
    await userEvent.type(box, 'draft');
    await userEvent.click(screen.getByRole('button', { name: 'Edit message' }));
    await expect.element(screen.getByText('Editing message')).toBeVisible();
    await screen.rerender({ room: `second-${Date.now()}` });
    await expect.element(screen.getByText('Editing message')).not.toBeInTheDocument();
    await expect.element(box).toHaveValue('draft');
    await expect.element(screen.getByRole('button', { name: 'Send' })).toBeInTheDocument();
  });
});
