import { afterAll, expect, test } from 'vitest';
import { type Health, type LoadResult, runClients, ServerProcess } from './harness.js';

let server: ServerProcess | undefined;
afterAll(() => server?.stop());

// The full window (60 s) in CI too; LOAD_SECONDS shortens it for a quick local look.
// Counts and heap bounds only, never timings.
const seconds = Number(process.env.LOAD_SECONDS ?? 60);
const clients = Number(process.env.LOAD_CLIENTS ?? 1000);
const rate = 200; // messages per second, all clients together
// Retention is capped (100 messages per room, 1,000 dedupe keys) so the store reaches its
// steady state during the warm-up; past it, heap growth would be a leak, not data.
const retention = { maxHistoryPerRoom: 100, maxDedupeKeys: 1000 };
const WARM_UP_SECONDS = 10;
const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/** One load phase: every client connects, chats, leaves; the server is then idle again. */
async function phase(duration: number): Promise<{ result: LoadResult; after: Health }> {
  const result = await runClients<LoadResult>({
    mode: 'load',
    url: server!.url,
    clients,
    rooms: 10,
    rate,
    seconds: duration,
  });
  await expect.poll(async () => (await server!.health()).health.connections).toBe(0);
  return { result, after: await server!.idleHealth() };
}

test(
  `load: ${clients} socket.io-client connections in 10 rooms for ${seconds} s, 0 errors, flat memory`,
  async () => {
    server = await ServerProcess.start({ maxConnections: clients + 100, memoryStore: retention });
    const start = await server.idleHealth();
    // Warm-up: fills the retention caps and lets V8 compile the hot paths, so the heap
    // compared below is the steady state's, not the first-touch growth.
    const warm = await phase(WARM_UP_SECONDS);
    const { result, after: end } = await phase(seconds);
    console.log(
      `[load] ${result.connected}/${clients} connected, ${seconds} s, sent ${result.sent}, acked ${result.acked}, ` +
        `received ${result.received}, errors ${JSON.stringify(result.errorCodes)}; server RSS ${mb(start.memory.rss)} → ${mb(end.memory.rss)}, ` +
        `heap after GC: start ${mb(start.memory.heapUsed)}, after the ${WARM_UP_SECONDS} s warm-up ${mb(warm.after.memory.heapUsed)}, ` +
        `after the ${seconds} s run ${mb(end.memory.heapUsed)}`,
    );
    for (const { connected, connectErrors, disconnects, ackErrors } of [warm.result, result]) {
      expect({ connected, connectErrors, disconnects, ackErrors }).toEqual({
        connected: clients,
        connectErrors: 0,
        disconnects: 0,
        ackErrors: 0,
      });
    }
    expect(result.acked).toBe(result.sent);
    expect(result.sent).toBeGreaterThan(0);
    // Each message reaches the other members of its room (100 per room, sender excluded).
    expect(result.received).toBe(result.acked * (clients / 10 - 1));
    expect(end.errors).toBe(0);
    expect(end.health.counters.messages).toBe(warm.result.acked + result.acked);
    // Memory flat: a full 60 s of 1,000 clients leaves the idle heap where the warm-up left
    // it (a leak of 2 KB per client, or of 200 B per message, would fail).
    expect(end.memory.heapUsed - warm.after.memory.heapUsed).toBeLessThan(2 * 1048576);
  },
  (WARM_UP_SECONDS + seconds + 120) * 1000,
);
