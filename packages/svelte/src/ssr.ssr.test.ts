import { createPool, socketio } from '@wirekit/core';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import SsrHarness from '../test/harness/SsrHarness.svelte';
import { useChatRoom, useConnection, useNotificationFeed } from './index.js';
import { serverUrl, stats } from '../test/pool.js';

describe('server render', () => {
  it('opens no connection and prints the initial state', async () => {
    const before = await stats();
    const pool = createPool({ url: serverUrl(), transport: socketio(), auth: () => 'token-alice' });
    const { body } = render(SsrHarness, { props: { pool } });

    expect(body).toContain('/:idle:0');
    expect(body).toContain('<h2>lobby</h2>');
    expect(body).toMatch(/data-testid="status"[^>]*>idle</);
    expect(body).toContain('idle:0:0');
    expect(body).toContain('0 connections, 0 leases, memory unknown');
    // The wrappers never touched the pool, so nothing could have opened.
    expect(pool.getSnapshot()).toMatchObject({ connections: [], leases: 0, timers: 0 });
    const after = await stats();
    expect(after.handshakes).toBe(before.handshakes);
    pool.destroy();
  });

  it('wrappers created at module scope on the server stay inert and dispose cleanly', () => {
    // Even a pool that may connect on the server (Node clients share it) is never asked to.
    const pool = createPool({
      url: serverUrl(),
      transport: socketio(),
      auth: () => 'token-alice',
      connectOnServer: true,
    });
    const conn = useConnection('/', { pool });
    const chat = useChatRoom('lobby', { pool });
    const feed = useNotificationFeed({ pool });
    expect(conn.state).toBe('idle');
    expect(chat.status).toBe('idle');
    expect(feed.status).toBe('idle');
    expect(() => chat.send('hi')).toThrow(/server render/);
    expect(pool.getSnapshot()).toMatchObject({ connections: [], leases: 0 });
    conn.dispose();
    chat.dispose();
    feed.dispose();
    pool.destroy();
  });
});
