import { createPool, socketio } from '@wirekit/core';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import ChatPanel from './ChatPanel.svelte';

describe('ChatPanel on the server', () => {
  it('renders the shell (header, empty state, composer) and opens no connection', () => {
    const pool = createPool({ url: 'http://127.0.0.1:9', transport: socketio() });
    const { body } = render(ChatPanel, { props: { pool, room: 'lobby', height: 320 } });
    expect(body).toContain('lobby');
    expect(body).toContain('aria-label="Message"');
    expect(body).toContain('No messages yet. Say hello!');
    expect(body).toContain('height: 320px');
    expect(body).toContain('aria-live="polite"');
    expect(pool.getSnapshot().connections).toHaveLength(0);
    pool.destroy();
  });
});

describe('ChatPanel on the server, before any connection', () => {
  it('renders as joining, without the offline note', () => {
    const pool = createPool({ url: 'http://127.0.0.1:9', transport: socketio() });
    const { body } = render(ChatPanel, { props: { pool, room: 'lobby' } });
    expect(body).toContain('data-state="joining"');
    expect(body).not.toContain('Offline');
    pool.destroy();
  });
});
