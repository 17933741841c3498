import type { ChatItem, Connection } from '@wirekit/core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  connectAs,
  countAttempts,
  fullHistory,
  maxAttemptsWithin,
  rawClient,
  roomOn,
} from './clients.js';
import { freePort, ServerProcess, startRedis } from './harness.js';

// The store must outlive the server process: a real redis-server, as in production. The
// wirekit server runs in a child process so it can be SIGKILLed (no graceful close).
let redis: Awaited<ReturnType<typeof startRedis>>;
let server: ServerProcess | undefined;
const connections: Connection[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of connections) c.close();
  await server?.stop();
  await redis?.stop();
});

const own = (items: readonly ChatItem[]) => items.filter((i) => i.own);

// Carol's send deadline: long (every message outlives the outage, all must be delivered) and
// short (some give up during the outage: each is reported failed and stored at most once).
test.each([
  { sendTimeout: 30_000, label: 'all outlive the outage' },
  { sendTimeout: 2_000, label: 'some time out' },
])(
  'SIGKILL + restart during a 500-message burst ($label): acked once, the rest once or failed, no storm',
  async ({ sendTimeout }) => {
    const port = await freePort();
    const config = {
      port,
      store: 'redis' as const,
      redisUrl: redis.url,
      prefix: `restart${sendTimeout}:`,
      rateLimit: false as const,
    };
    server = await ServerProcess.start(config);
    const url = server.url;

    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((u) => {
      const c = connectAs(url, u, { outbox: { maxMessages: 1000 } });
      connections.push(c);
      return c;
    }) as [Connection, Connection, Connection];
    const rooms = [alice, bob, carol].map((c, i) =>
      roomOn(c, 'lobby', i === 2 ? sendTimeout : 30_000),
    );
    const [aliceRoom, bobRoom, carolRoom] = rooms as [
      (typeof rooms)[0],
      (typeof rooms)[0],
      (typeof rooms)[0],
    ];
    await expect.poll(() => rooms.every((r) => r.getSnapshot().status === 'joined')).toBe(true);

    const attempts = [alice, bob, carol].map(countAttempts);
    for (let i = 0; i < 5; i++) {
      aliceRoom.send(`alice before ${i}`);
      bobRoom.send(`bob before ${i}`);
    }
    for (let i = 0; i < 500; i++) carolRoom.send(`burst ${i}`);
    const sentCount = () =>
      own(carolRoom.getSnapshot().messages.toArray()).filter((i) => i.status === 'sent').length;
    await expect
      .poll(sentCount, { timeout: 15_000, interval: 5 })
      .toBeGreaterThanOrEqual(sendTimeout > 2_000 ? 100 : 20);

    await server!.signal('SIGKILL');
    const killedAt = Date.now();
    const ackedAtKill = sentCount();
    // Chat goes on while the server is down: queued in the outbox.
    for (let i = 0; i < 5; i++) {
      aliceRoom.send(`alice during ${i}`);
      bobRoom.send(`bob during ${i}`);
    }
    await expect
      .poll(() => [alice, bob, carol].every((c) => c.state === 'reconnecting'))
      .toBe(true);
    // The outage itself (not a wait for a condition): long enough for several backoff steps.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    server = await ServerProcess.start(config);
    const outage = Date.now() - killedAt;

    await expect
      .poll(() => [alice, bob, carol].every((c) => c.state === 'connected'), { timeout: 15_000 })
      .toBe(true);
    for (let i = 0; i < 5; i++) {
      aliceRoom.send(`alice after ${i}`);
      bobRoom.send(`bob after ${i}`);
    }
    const settled = () =>
      rooms.every((r) =>
        own(r.getSnapshot().messages.toArray()).every((i) => i.status !== 'pending'),
      );
    await expect.poll(settled, { timeout: 30_000, interval: 20 }).toBe(true);

    const reader = await rawClient(url, 'reader');
    const history = await fullHistory(reader, 'lobby');
    reader.disconnect();
    const historyIds = history.map((m) => m.id);
    const historyCids = history.map((m) => `${m.user.id}/${m.clientId}`);
    expect(new Set(historyIds).size).toBe(historyIds.length);
    expect(new Set(historyCids).size).toBe(historyCids.length);

    const count = (id: string) => historyIds.filter((x) => x === id).length;
    const countCid = (user: string, cid: string | null) =>
      historyCids.filter((x) => x === `${user}/${cid}`).length;
    const summary: Record<string, { sent: number; failed: number; failedButStored: number }> = {};
    for (const [name, room] of [
      ['alice', aliceRoom],
      ['bob', bobRoom],
      ['carol', carolRoom],
    ] as const) {
      const mine = own(room.getSnapshot().messages.toArray());
      const sent = mine.filter((i) => i.status === 'sent');
      const failed = mine.filter((i) => i.status === 'failed');
      expect(sent.length + failed.length).toBe(name === 'carol' ? 500 : 15);
      // Every acknowledged message is in history exactly once.
      for (const item of sent) expect(count(item.id)).toBe(1);
      // Every unacknowledged one is reported failed and stored at most once.
      for (const item of failed) expect(countCid(name, item.clientId)).toBeLessThanOrEqual(1);
      summary[name] = {
        sent: sent.length,
        failed: failed.length,
        failedButStored: failed.filter((i) => countCid(name, i.clientId) === 1).length,
      };
    }
    // No model shows a message twice.
    for (const room of rooms) {
      const ids = room
        .getSnapshot()
        .messages.toArray()
        .map((i) => i.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
    // No storm: attempts over the outage stay within what the backoff schedule allows.
    const bound = maxAttemptsWithin(outage);
    const counts = attempts.map((a) => a.max());
    for (const n of counts) {
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(bound);
    }
    console.log(
      `[restart ${sendTimeout} ms] outage ${outage} ms, acked before kill ${ackedAtKill}/500, history ${history.length}, ` +
        `attempts ${counts.join('/')} (schedule allows ≤ ${bound}), ${JSON.stringify(summary)}`,
    );
    if (sendTimeout === 30_000) expect(summary.carol?.sent).toBe(500);
    attempts.forEach((a) => a.stop());
    rooms.forEach((r) => r.dispose());
    for (const c of connections.splice(0)) c.close();
    await server.stop();
  },
);
