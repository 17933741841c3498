import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { localWirekit } from '../../../test/local-wirekit.js';
import NotificationBell from './NotificationBell.svelte';

let wk: ReturnType<typeof localWirekit>;
let host: HTMLDivElement;

beforeEach(() => {
  wk = localWirekit();
  host = document.createElement('div');
  document.body.append(host);
});
afterEach(async () => {
  host.remove();
  await wk.destroy();
});

async function openAt(justify: 'flex-start' | 'flex-end', dir: 'ltr' | 'rtl' = 'ltr') {
  host.dir = dir;
  host.style.cssText = `display: flex; justify-content: ${justify}; padding: 0 8px;`;
  const screen = await render(NotificationBell, { target: host, props: { pool: wk.pool } });
  await userEvent.click(screen.getByRole('button', { name: /^Notifications/ }));
  const dialog = screen.getByRole('dialog', { name: 'Notifications' });
  await expect.element(dialog).toBeVisible();
  return dialog.element().getBoundingClientRect();
}

describe('NotificationBell popover placement', () => {
  it('stays inside the viewport when the bell is at the start of the page', async () => {
    const rect = await openAt('flex-start');
    expect(rect.width).toBeGreaterThan(200);
    expect(rect.left).toBeGreaterThanOrEqual(0);
    expect(rect.right).toBeLessThanOrEqual(window.innerWidth);
  });

  it('opens towards the start when the bell is at the end of the page', async () => {
    const rect = await openAt('flex-end');
    expect(rect.left).toBeGreaterThanOrEqual(0);
    expect(rect.right).toBeLessThanOrEqual(window.innerWidth);
    expect(rect.right).toBeGreaterThan(window.innerWidth - 50);
  });

  it('stays inside the viewport in a right-to-left page', async () => {
    const rect = await openAt('flex-start', 'rtl');
    expect(rect.left).toBeGreaterThanOrEqual(0);
    expect(rect.right).toBeLessThanOrEqual(window.innerWidth);
  });
});
