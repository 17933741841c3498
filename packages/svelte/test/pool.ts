import { createPool, socketio, type ConnectionPool } from '@wirekit/core';
import { inject } from 'vitest';
import type { ServerStats } from './server.js';

/** Idle grace period used by the tests (ms). */
export const GRACE = 150;

/** The test server's URL (started by the global setup). */
export const serverUrl = (): string => inject('serverUrl');

/** The test server's counters and, for the given rooms, their member counts. */
export async function stats(...rooms: string[]): Promise<ServerStats> {
  const res = await fetch(`${serverUrl()}/__stats?room=${rooms.map(encodeURIComponent).join(',')}`);
  return (await res.json()) as ServerStats;
}

/** A pool on the test server, signed in as `user`. */
export function testPool(user = 'alice'): ConnectionPool {
  return createPool({
    url: serverUrl(),
    transport: socketio(),
    auth: () => `token-${user}`,
    idleTimeout: GRACE,
    heartbeat: false,
  });
}

/** Has the test server notify `user`. */
export async function notify(user: string, title: string): Promise<void> {
  const res = await fetch(
    `${serverUrl()}/__notify?user=${encodeURIComponent(user)}&title=${encodeURIComponent(title)}`,
  );
  if (!res.ok) throw new Error(`notify failed: ${res.status}`);
}
