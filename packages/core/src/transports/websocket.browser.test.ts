import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ConnectionSnapshot } from '../connection/types.js';
import { type ConnectionPool, createPool } from '../pool/ConnectionPool.js';
import { eventSource } from './eventSource.js';
import { websocket } from './websocket.js';

const wsUrl = inject('wsUrl');
let pools: ConnectionPool[] = [];
afterEach(async () => {
  await control('up');
  for (const p of pools) p.destroy();
  pools = [];
});

async function control(action: 'down' | 'up') {
  const res = await fetch(`${wsUrl}/control/${action}`);
  expect(res.ok).toBe(true);
}

/** Resolves on the first snapshot that satisfies `predicate` (event-driven, no polling). */
function when(pool: ConnectionPool, key: string, predicate: (s: ConnectionSnapshot) => boolean) {
  const connection = pool.peek(key)!;
  return new Promise<ConnectionSnapshot>((resolve) => {
    if (predicate(connection.getSnapshot())) return resolve(connection.getSnapshot());
    const off = connection.subscribe((snap) => {
      if (!predicate(snap)) return;
      off();
      resolve(snap);
    });
  });
}

describe('native WebSocket transport in Chromium', () => {
  it('connects without connectOnServer (this is a browser), acks and receives', async () => {
    const pool = createPool({ url: wsUrl, transport: websocket(), auth: () => 'good' });
    pools.push(pool);
    const { connection } = pool.acquire('/browser');
    const got: unknown[] = [];
    connection.on('echo', (d) => got.push(d));
    await when(pool, '/browser', (s) => s.state === 'connected');
    expect(location.href).not.toContain('good');
    await expect(connection.send('echo', 'hi', { ack: true })).resolves.toBe('hi');
    await when(pool, '/browser', (s) => s.messagesIn >= 1);
    expect(got).toEqual(['hi']);
    await when(pool, '/browser', (s) => s.rtt !== null);
  });

  it('retries at once on the browser online event instead of waiting out the backoff', async () => {
    const pool = createPool({
      url: wsUrl,
      transport: websocket(),
      auth: () => 'good',
      backoff: { initialDelay: 600_000, maxDelay: 600_000, jitter: 0 },
    });
    pools.push(pool);
    await control('down');
    const { connection } = pool.acquire('/offline');
    const waiting = await when(
      pool,
      '/offline',
      (s) => s.state === 'reconnecting' && s.nextRetryAt !== null,
    );
    expect(waiting.nextRetryAt! - Date.now()).toBeGreaterThan(500_000);
    expect(waiting.error?.kind).toBe('network');
    await control('up');
    window.dispatchEvent(new Event('online'));
    await when(pool, '/offline', (s) => s.state === 'connected');
    expect(connection.getSnapshot().attempt).toBe(0);
  });

  it('checks the link at once when the browser goes offline while connected', async () => {
    const pool = createPool({
      url: wsUrl,
      transport: websocket(),
      auth: () => 'good',
      heartbeat: { interval: 600_000, timeout: 200 },
      backoff: { initialDelay: 10, jitter: 0 },
    });
    pools.push(pool);
    const { connection } = pool.acquire('/drop');
    await when(pool, '/drop', (s) => s.state === 'connected' && s.rtt !== null);
    await connection.send('silent', null, { ack: true }); // the server stops answering pings
    window.dispatchEvent(new Event('offline'));
    // Without the offline check the next ping would come in 10 minutes.
    const lost = await when(pool, '/drop', (s) => s.state === 'reconnecting');
    expect(lost.error?.kind).toBe('timeout');
    await when(pool, '/drop', (s) => s.state === 'connected');
  });
});

describe('EventSource transport in Chromium', () => {
  it('receives enveloped and named events, counts bad data, and refuses to send', async () => {
    const pool = createPool({ url: wsUrl, transport: eventSource({ events: ['stats'] }) });
    pools.push(pool);
    const { connection } = pool.acquire('/sse');
    const ticks: unknown[] = [];
    const stats: unknown[] = [];
    connection.on('tick', (d) => ticks.push(d));
    connection.on('stats', (d) => stats.push(d));
    await when(pool, '/sse', (s) => s.messagesIn >= 2 && s.invalid >= 1);
    expect(ticks).toEqual([{ n: 1 }]);
    expect(stats).toHaveLength(1);
    expect(() => connection.send('x', 1)).toThrowError(/receive-only/);
    await expect(connection.send('x', 1, { ack: true })).rejects.toMatchObject({
      kind: 'unsupported',
    });
  });

  it('resumes after the stream ends from the last event id it received', async () => {
    const pool = createPool({
      url: wsUrl,
      transport: eventSource(),
      backoff: { initialDelay: 1, jitter: 0 },
    });
    pools.push(pool);
    const { connection } = pool.acquire('/sse-resume');
    const seen: unknown[] = [];
    connection.on('resumed', (d) => seen.push(d));
    await when(pool, '/sse-resume', (s) => s.messagesIn >= 4);
    expect(seen.slice(0, 4)).toEqual([
      { from: null, id: 1 },
      { from: null, id: 2 },
      { from: '2', id: 3 },
      { from: '2', id: 4 },
    ]);
  });
});
