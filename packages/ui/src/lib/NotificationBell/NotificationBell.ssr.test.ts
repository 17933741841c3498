import { createPool, socketio } from '@wirekit/core';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import ConnectionMonitor from '../ConnectionMonitor/ConnectionMonitor.svelte';
import NotificationBell from './NotificationBell.svelte';

describe('on the server', () => {
  it('renders the bell closed, with no badge, and opens no connection', () => {
    const pool = createPool({ url: 'http://127.0.0.1:9', transport: socketio() });
    const { body } = render(NotificationBell, { props: { pool } });
    expect(body).toContain('aria-label="Notifications"');
    expect(body).toContain('aria-expanded="false"');
    expect(body).toMatch(/role="dialog"[^>]*hidden/);
    expect(body).not.toContain('wk-bell__badge');
    expect(body).toContain('aria-live="polite"');
    expect(pool.getSnapshot().connections).toHaveLength(0);
    pool.destroy();
  });

  it('renders the monitor (dev) with no connection and no timer', () => {
    const pool = createPool({ url: 'http://127.0.0.1:9', transport: socketio() });
    const { body } = render(ConnectionMonitor, { props: { pool, force: true } });
    expect(body).toContain('0 connections');
    expect(pool.getSnapshot()).toMatchObject({ connections: [], timers: 0 });
    pool.destroy();
  });
});
