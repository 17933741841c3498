import { afterEach, expect, it } from 'vitest';
import { startSocketServer, type TestSocketServer, until } from '../../test/socketio-server.js';
import { socketio } from '../transports/socketio.js';
import { createPool } from './ConnectionPool.js';

let server: TestSocketServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

it('leaves 0 listeners, 0 timers and 0 server sockets after 1,000 acquire/release cycles', async () => {
  server = await startSocketServer();
  const s = server;
  const pool = createPool({
    url: s.url,
    transport: socketio(),
    connectOnServer: true,
    idleTimeout: 0,
  });
  const keys = ['/a', '/b', '/c'];
  for (let i = 0; i < 1000; i++) {
    const key = keys[i % keys.length]!;
    const lease = pool.acquire(key);
    const offMessage = lease.connection.on('echo', () => {});
    const offDiagnostic = lease.connection.onDiagnostic(() => {});
    const offSnapshot = lease.connection.subscribe(() => {});
    // Every tenth cycle goes all the way to a live session and traffic.
    if (i % 10 === 0) {
      await until(() => lease.connection.state === 'connected', `connected #${i}`);
      lease.connection.send('echo', i);
    }
    if (i % 3 === 0) {
      offMessage();
      offDiagnostic();
      offSnapshot();
    }
    lease.release();
    if (i % 50 === 0) await until(() => pool.getSnapshot().connections.length === 0, 'idle close');
  }
  await until(() => pool.getSnapshot().connections.length === 0, 'all connections closed');
  const snap = pool.getSnapshot();
  expect(snap.leases).toBe(0);
  expect(snap.listeners).toBe(0);
  expect(snap.timers).toBe(0);
  await until(() => s.sockets === 0 && s.io.engine.clientsCount === 0, 'server sees no sockets');
  expect(s.sockets).toBe(0);
  // Every tenth cycle reached a live session; the others may have reused one still closing.
  expect(s.handshakes).toBeGreaterThanOrEqual(50);
  pool.destroy();
}, 60_000);
