import { createMessageList, type ConnectionPool, type MessageList } from '@wirekit/core';
import { afterEach, expect, it, vi } from 'vitest';
import { render } from 'vitest-browser-svelte';
import ChatHarness from '../../../test/harness/ChatHarness.svelte';
import { startLocalServer } from '../../../test/local-server.js';

const pools: ConnectionPool[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const pool of pools.splice(0)) pool.destroy();
});

// Issue 8: the cost of one incoming message must not grow with the history held. The panel
// used to copy the whole list on every snapshot (`messages.slice()`): 100k item copies per
// message at 100k messages. Counted here, not timed (timings live in `pnpm bench`).
it('handles an incoming message without copying the history it holds', async () => {
  const local = startLocalServer();
  const room = `append-${Date.now()}`;
  await local.seed(room, 300, 'bob');
  const pool = local.pool('alice');
  pools.push(pool);
  const screen = await render(ChatHarness, { pool, room, roomOptions: { pageSize: 100 } });
  await expect
    .poll(() => screen.container.querySelector('.wk-chat')?.getAttribute('data-state'))
    .toBe('ready');
  await expect.element(screen.getByRole('log').getByText(/Message 300$/)).toBeVisible();

  // Every read of a snapshot's list that touches all of it goes through these.
  const proto = Object.getPrototypeOf(createMessageList<unknown>()) as MessageList<unknown>;
  const copied: number[] = [];
  const slice = proto.slice;
  vi.spyOn(proto, 'slice').mockImplementation(function (this: MessageList<unknown>, ...args) {
    const out = slice.apply(this, args);
    copied.push(out.length);
    return out;
  });
  const toArray = vi.spyOn(proto, 'toArray');
  const iterate = vi.spyOn(proto, Symbol.iterator);

  const bob = local.actor('bob');
  await local.chat.join(bob, { room });
  for (const n of [1, 2, 3]) {
    await local.chat.send(bob, { room, text: `appended ${n}` });
    await expect
      .element(screen.getByRole('log').getByText(new RegExp(`appended ${n}$`)))
      .toBeVisible();
  }
  expect(toArray).not.toHaveBeenCalled();
  expect(iterate).not.toHaveBeenCalled();
  // Small reads (the few rows on screen) are fine; a copy of the 100+ messages held is not.
  expect(Math.max(0, ...copied)).toBeLessThan(50);
});
