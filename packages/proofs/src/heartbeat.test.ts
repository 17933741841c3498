import type { WirekitError } from '@wirekit/core';
import { afterAll, expect, test } from 'vitest';
import { connectAs } from './clients.js';
import { ServerProcess } from './harness.js';

let server: ServerProcess | undefined;
afterAll(() => server?.stop());

// SIGSTOP freezes the server process: the kernel keeps the TCP connection open (half-open from
// the application's view) but nothing answers `wk:ping`.
test('heartbeat: a frozen server is detected as a timeout and the client reconnects', async () => {
  server = await ServerProcess.start();
  const connection = connectAs(server.url, 'alice', {
    heartbeat: { interval: 300, timeout: 300 },
    connectTimeout: 1000,
  });
  await expect.poll(() => connection.state).toBe('connected');
  const errors: WirekitError[] = [];
  let reconnects = 0;
  let last = connection.state;
  const stop = connection.subscribe((s) => {
    if (s.error && !errors.includes(s.error)) errors.push(s.error);
    if (s.state === 'connected' && last !== 'connected') reconnects += 1;
    last = s.state;
  });

  await server.signal('SIGSTOP');
  await expect.poll(() => connection.state, { timeout: 10_000 }).toBe('reconnecting');
  expect(errors[0]?.kind).toBe('timeout');
  expect(errors[0]?.message).toMatch(/heartbeat/i);

  await server.signal('SIGCONT');
  await expect.poll(() => connection.state, { timeout: 15_000 }).toBe('connected');
  expect(reconnects).toBe(1);
  const health = await server.health();
  expect(health.health.connections).toBe(1); // the frozen session was cleaned up, not kept
  console.log(
    `[heartbeat] errors: ${errors.map((e) => e.kind).join(', ')}; reconnected ${reconnects}×`,
  );
  stop();
  connection.close();
});
