import type { Diagnostic } from '@wirekit/core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connectAs, fullHistory, rawClient, roomOn } from './clients.js';
import { freePort, ServerProcess, startRedis } from './harness.js';

let redis: Awaited<ReturnType<typeof startRedis>>;
let server: ServerProcess | undefined;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await server?.stop();
  await redis?.stop();
});

// A short real outage with tiny outbox bounds stands in for a long one: what matters is that
// more is sent than the outbox holds.
test('offline: the outbox stays within bounds, overflow is reported (drop-oldest), nothing else is lost', async () => {
  const port = await freePort();
  const config = { port, store: 'redis' as const, redisUrl: redis.url, prefix: 'outage:' };
  server = await ServerProcess.start(config);
  const connection = connectAs(server.url, 'carol', {
    outbox: { maxMessages: 20, maxBytes: 4096, overflow: 'drop-oldest' },
  });
  const room = roomOn(connection, 'outage');
  await expect.poll(() => room.getSnapshot().status).toBe('joined');
  let maxQueued = 0;
  let maxBytes = 0;
  const stopWatch = connection.subscribe((s) => {
    maxQueued = Math.max(maxQueued, s.queued);
    maxBytes = Math.max(maxBytes, s.queuedBytes);
  });
  const dropped: Diagnostic[] = [];
  const stopDiag = connection.onDiagnostic((d) => d.type === 'dropped' && dropped.push(d));

  room.send('before the outage');
  await expect.poll(() => room.getSnapshot().messages.at(-1)?.status).toBe('sent');

  await server.signal('SIGKILL');
  await expect.poll(() => connection.state).toBe('reconnecting');
  const cids: string[] = [];
  for (let i = 0; i < 100; i++) cids.push(room.send(`offline ${i}`));
  expect(connection.getSnapshot().queued).toBeLessThanOrEqual(20);

  server = await ServerProcess.start(config);
  await expect
    .poll(
      () =>
        room
          .getSnapshot()
          .messages.toArray()
          .every((i) => i.status !== 'pending'),
      {
        timeout: 20_000,
      },
    )
    .toBe(true);

  const items = room
    .getSnapshot()
    .messages.toArray()
    .filter((i) => i.own);
  const sent = items.filter((i) => i.status === 'sent');
  const failed = items.filter((i) => i.status === 'failed');
  expect(maxQueued).toBeLessThanOrEqual(20);
  expect(maxBytes).toBeLessThanOrEqual(4096);
  // drop-oldest: the newest offline messages survive, the oldest are reported dropped. The
  // outbox holds 20 entries; one slot may go to the room's own rejoin request.
  const kept = 100 - failed.length;
  expect(kept).toBeGreaterThanOrEqual(19);
  expect(kept).toBeLessThanOrEqual(20);
  expect(failed.every((i) => i.error && 'kind' in i.error && i.error.kind === 'overflow')).toBe(
    true,
  );
  expect(dropped).toHaveLength(failed.length);
  expect(connection.getSnapshot().dropped).toBe(failed.length);
  expect(sent.map((i) => i.text)).toEqual([
    'before the outage',
    ...Array.from({ length: kept }, (_, k) => `offline ${100 - kept + k}`),
  ]);

  // Nothing else lost, nothing doubled: history holds exactly the sent ones.
  const reader = await rawClient(server.url, 'reader');
  const history = await fullHistory(reader, 'outage');
  reader.disconnect();
  expect(history.map((m) => m.text)).toEqual(sent.map((i) => i.text));
  console.log(
    `[outage] sent 101, outbox max ${maxQueued} msgs / ${maxBytes} B (bounds 20 / 4096), ` +
      `dropped ${dropped.length} (reported), delivered ${history.length}`,
  );
  stopWatch();
  stopDiag();
  room.dispose();
  connection.close();
});
