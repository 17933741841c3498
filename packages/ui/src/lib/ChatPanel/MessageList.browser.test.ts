import type { ChatItem } from '@wirekit/core';
import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-svelte';
import ListHarness from '../../../test/harness/ListHarness.svelte';

/** `count` messages from three authors, one minute apart, some multi-line (varying heights). */
function history(count: number): ChatItem[] {
  const users = [
    { id: 'bob', name: 'Bob' },
    { id: 'carol', name: 'Carol' },
    { id: 'alice', name: 'Alice' },
  ];
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => ({
    id: `m${i}`,
    room: 'big',
    seq: i + 1,
    text: i % 7 === 0 ? `Message ${i}\nwith a second line\nand a third` : `Message ${i}`,
    user: users[Math.floor(i / 3) % 3]!,
    createdAt: start + i * 60_000,
    status: 'sent' as const,
    clientId: null,
    error: null,
    own: Math.floor(i / 3) % 3 === 2,
  }));
}

describe('ChatMessageList virtualization', () => {
  it('renders only the visible rows of 100,000 messages, at the end and in the middle', async () => {
    const items = history(100_000);
    const started = performance.now();
    const screen = await render(ListHarness, { items });
    const log = screen.container.querySelector<HTMLElement>('[role="log"]')!;
    const rowCount = () => log.querySelectorAll('[data-message-id]').length;
    await expect.poll(() => log.textContent).toContain('Message 99999');
    const mountMs = performance.now() - started;
    expect(rowCount()).toBeGreaterThan(5);
    expect(rowCount()).toBeLessThan(80);
    // Rows of different heights are measured, not assumed.
    const heights = new Set(
      [...log.querySelectorAll('[data-message-id]')].map((r) =>
        Math.round(r.getBoundingClientRect().height),
      ),
    );
    expect(heights.size).toBeGreaterThan(1);

    // As a user would (again until the initial scroll-to-end has settled).
    await expect
      .poll(() => {
        log.dispatchEvent(new WheelEvent('wheel', { deltaY: -500, bubbles: true }));
        log.scrollTop = log.scrollHeight / 2;
        return log.textContent;
      })
      .toMatch(/Message [45]\d{4}\b/);
    expect(rowCount()).toBeLessThan(80);
    // A generous bound that still catches rendering every row (which takes many seconds).
    expect(mountMs).toBeLessThan(3000);
  });
});
