import type { WirekitError } from '@wirekit/core';
import { afterAll, expect, test } from 'vitest';
import { connectAs } from './clients.js';
import { ask, ServerProcess } from './harness.js';

let server: ServerProcess | undefined;
afterAll(() => server?.stop());

function errorsOf(connection: ReturnType<typeof connectAs>): WirekitError[] {
  const seen: WirekitError[] = [];
  connection.subscribe((s) => {
    if (s.error && !seen.includes(s.error)) seen.push(s.error);
  });
  return seen;
}

test('token expiry: refreshed through the auth callback; a revoked user ends failed/unauthorized', async () => {
  const expiry = Date.now() + 1500;
  server = await ServerProcess.start({ expiresAt: { dave: expiry, eve: expiry } });

  // dave's first token expires; the callback hands out a fresh one on every later call.
  let daveCalls = 0;
  const dave = connectAs(server.url, 'dave', {
    auth: () => ({ token: daveCalls++ === 0 ? 'token-dave' : `token-dave-${daveCalls}` }),
  });
  let eveCalls = 0;
  const eve = connectAs(server.url, 'eve', {
    auth: () => {
      eveCalls += 1;
      return { token: 'token-eve' };
    },
  });
  const daveErrors = errorsOf(dave);
  const eveErrors = errorsOf(eve);
  const serverErrors: string[] = [];
  dave.on('wk:error', (e) => void serverErrors.push(`dave:${(e as { code: string }).code}`));
  eve.on('wk:error', (e) => void serverErrors.push(`eve:${(e as { code: string }).code}`));
  await expect.poll(() => [dave.state, eve.state]).toEqual(['connected', 'connected']);
  await ask(server, { type: 'revoke', user: 'eve' }, 'revoked');

  // After expiry: dave reconnects with a refreshed token; eve is refused for good.
  await expect.poll(() => daveCalls, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  await expect.poll(() => dave.state, { timeout: 10_000 }).toBe('connected');
  await expect.poll(() => eve.state, { timeout: 10_000 }).toBe('failed');
  expect(serverErrors.sort()).toEqual(['dave:unauthorized', 'eve:unauthorized']);
  const ack = await dave.send('wk:ping', {}, { ack: true, timeout: 5000 });
  expect(ack).toMatchObject({ ok: true });

  expect(eve.getSnapshot().error?.kind).toBe('unauthorized');
  expect(eveErrors.at(-1)?.kind).toBe('unauthorized');
  // No retry is scheduled: no timer, no next attempt; the callback ran for the first
  // handshake and the one refused handshake only.
  expect(eve.getSnapshot().nextRetryAt).toBeNull();
  expect(eve.getSnapshot().timers).toBe(0);
  expect(eveCalls).toBe(2);
  const health = await server.health();
  expect(health.health.counters.refused.unauthorized).toBe(1);
  expect(daveErrors.length).toBeGreaterThanOrEqual(1); // the expired session was ended
  console.log(
    `[auth] dave auth calls ${daveCalls} (refreshed), eve auth calls ${eveCalls}, ` +
      `dave session errors ${daveErrors.map((e) => e.kind).join(',')}, server refused ${JSON.stringify(health.health.counters.refused)}`,
  );
  dave.close();
  eve.close();
});
