import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectNoAxeViolations } from '../../../test/axe.js';
import { localWirekit } from '../../../test/local-wirekit.js';
import { ja } from '../labels/index.js';
import ConnectionMonitor from './ConnectionMonitor.svelte';

let wk: ReturnType<typeof localWirekit>;

beforeEach(() => {
  wk = localWirekit();
});

afterEach(() => {
  cleanup();
  wk.pool.destroy();
  vi.useRealTimers();
});

const overlay = () => screen.getByRole('region', { name: 'wirekit connections' });
const row = (key: string) =>
  within(overlay())
    .getAllByRole('listitem')
    .find((li) => li.querySelector('.wk-monitor-row__key')?.textContent === key);

describe('ConnectionMonitor over the memory transport', () => {
  it('shows each connection with its state, counters and reference count, live', async () => {
    render(ConnectionMonitor, { pool: wk.pool });
    expect(overlay()).toHaveTextContent('0 connections');
    expect(overlay()).toHaveTextContent('No connections');

    const a = wk.pool.acquire('/');
    const b = wk.pool.acquire('/');
    const c = wk.pool.acquire('/admin');
    await vi.waitFor(() => expect(overlay()).toHaveTextContent('2 connections'));
    await vi.waitFor(() =>
      expect(row('/')?.querySelector('.wk-monitor-row__state')).toHaveTextContent('connected'),
    );
    const first = row('/') as HTMLElement;
    expect(first).toHaveAttribute('data-state', 'connected');
    expect(within(first).getByText('References').nextElementSibling).toHaveTextContent('2');
    expect(first).toHaveTextContent('memory');

    const off = a.connection.on('custom', () => {});
    await a.connection.send('custom', { hello: 'world' });
    await vi.waitFor(() =>
      expect(within(first).getByText('Messages in/out').nextElementSibling).toHaveTextContent(
        /^\s*\d+ \/ 1/,
      ),
    );
    expect(
      Number(within(first).getByText('Listeners').nextElementSibling?.textContent),
    ).toBeGreaterThan(0);
    off();

    b.release();
    await vi.waitFor(() =>
      expect(within(first).getByText('References').nextElementSibling).toHaveTextContent('1'),
    );
    a.release();
    c.release();
    await vi.waitFor(() => expect(overlay()).toHaveTextContent('0 connections'));
  });

  it('shows reconnecting with the attempt, a live countdown and the last error when the server goes down', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    render(ConnectionMonitor, { pool: wk.pool });
    const lease = wk.pool.acquire('/');
    await vi.advanceTimersByTimeAsync(50);
    expect(row('/')).toHaveAttribute('data-state', 'connected');

    wk.server.setAvailable(false);
    await vi.advanceTimersByTimeAsync(0);
    const r = row('/') as HTMLElement;
    expect(r).toHaveAttribute('data-state', 'reconnecting');
    expect(r.querySelector('.wk-monitor-row__state')).toHaveTextContent('reconnecting');
    expect(within(r).getByText('Last error').nextElementSibling).toHaveTextContent(/network/);
    expect(r).toHaveTextContent('retry in 3s');
    expect(within(r).getByText('Attempt').nextElementSibling).toHaveTextContent(/^0/);

    // The countdown ticks live.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r).toHaveTextContent('retry in 2s');
    // The attempt fails while the server is down: counted, and a new countdown starts.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(within(r).getByText('Attempt').nextElementSibling).toHaveTextContent(/^1/);
    expect(r).toHaveTextContent('retry in 3s');

    wk.server.setAvailable(true);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(r).toHaveAttribute('data-state', 'connected');
    expect(r).not.toHaveTextContent('retry in');
    expect(r).not.toHaveTextContent('Last error');
    lease.release();
  });

  it('collapses and expands with the keyboard-reachable toggle', async () => {
    render(ConnectionMonitor, { pool: wk.pool, position: 'top-left' });
    const root = overlay();
    expect(root).toHaveAttribute('data-position', 'top-left');
    const toggle = within(root).getByRole('button');
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const body = document.getElementById(toggle.getAttribute('aria-controls') ?? '');
    expect(body).toBeVisible();
    expect(body).toHaveAttribute('tabindex', '0');

    await fireEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(root).toHaveAttribute('data-state', 'collapsed');
    expect(body).not.toBeVisible();
    await fireEvent.click(toggle);
    expect(root).toHaveAttribute('data-state', 'expanded');
    expect(body).toBeVisible();
  });

  it('renders connection keys and errors as text', async () => {
    render(ConnectionMonitor, { pool: wk.pool });
    const lease = wk.pool.acquire('/<img src=x onerror=alert(1)>');
    await vi.waitFor(() => expect(overlay()).toHaveTextContent('<img src=x onerror=alert(1)>'));
    expect(overlay().querySelector('img')).toBeNull();
    lease.release();
  });

  it('takes labels (Japanese set), rest props and a ref', async () => {
    render(ConnectionMonitor, {
      pool: wk.pool,
      labels: ja.monitor,
      'data-testid': 'mon',
      class: 'mine',
    });
    const root = screen.getByTestId('mon');
    expect(root).toHaveClass('wk-root', 'wk-monitor', 'mine');
    expect(root).toHaveAccessibleName('wirekit 接続');
    const lease = wk.pool.acquire('/');
    await vi.waitFor(() => expect(root).toHaveTextContent('接続済み'));
    lease.release();
  });

  it('has no axe violations expanded with connections, and collapsed', async () => {
    const { container } = render(ConnectionMonitor, { pool: wk.pool });
    const lease = wk.pool.acquire('/');
    await vi.waitFor(() => expect(row('/')).toHaveAttribute('data-state', 'connected'));
    await expectNoAxeViolations(container);
    await fireEvent.click(within(overlay()).getByRole('button'));
    await expectNoAxeViolations(container);
    lease.release();
  });
});
