import type { PoolConnectionSnapshot } from '@wirekit/core';
import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-svelte';
import ConnectionMonitor from './ConnectionMonitor.svelte';
import type { PoolMonitorLike } from './types.js';

function snapshot(key: string, state: PoolConnectionSnapshot['state']): PoolConnectionSnapshot {
  return {
    key,
    state,
    transport: 'memory',
    attempt: 0,
    nextRetryAt: null,
    rtt: null,
    queued: 0,
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    listeners: 0,
    refCount: 1,
    error: null,
  } as unknown as PoolConnectionSnapshot;
}

const monitor = {
  connections: [
    snapshot('/', 'connected'),
    snapshot('/chat', 'reconnecting'),
    snapshot('/admin', 'failed'),
  ],
  leases: 3,
  listeners: 0,
  timers: 0,
  memory: null,
} as unknown as PoolMonitorLike;

describe('ConnectionMonitor collapsed to its summary bar', () => {
  it('tells the connection states apart by more than colour, also to screen readers', async () => {
    const screen = await render(ConnectionMonitor, { monitor, force: true, collapsed: true });
    const toggle = screen.getByRole('button');
    await expect.element(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect.element(toggle).toHaveAccessibleName(/connected.*reconnecting.*failed/);

    const dot = (state: string) =>
      getComputedStyle(
        screen.container.querySelector(`.wk-monitor__dot[data-state="${state}"]`) as Element,
      );
    const shape = (style: CSSStyleDeclaration) =>
      [style.borderRadius, style.backgroundColor === 'rgba(0, 0, 0, 0)', style.boxShadow].join();
    expect(shape(dot('reconnecting'))).not.toBe(shape(dot('connected')));
    expect(shape(dot('failed'))).not.toBe(shape(dot('connected')));
    expect(shape(dot('failed'))).not.toBe(shape(dot('reconnecting')));
  });
});
