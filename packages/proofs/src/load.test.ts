import { afterAll, expect, test } from 'vitest';
import { type LoadResult, runClients, ServerProcess } from './harness.js';

let server: ServerProcess | undefined;
afterAll(() => server?.stop());

// CI runs a short window (LOAD_SECONDS, default 12 s) to keep the pipeline short; `pnpm bench`
// runs the full 60 s. Counts and a generous heap bound only, never timings.
const seconds = Number(process.env.LOAD_SECONDS ?? 12);
const clients = Number(process.env.LOAD_CLIENTS ?? 1000);
const rate = 200; // messages per second, all clients together

test(
  `load: ${clients} socket.io-client connections in 10 rooms for ${seconds} s, 0 errors, flat memory`,
  async () => {
    server = await ServerProcess.start({ maxConnections: clients + 100 });
    const start = await server.health();
    const result = await runClients<LoadResult>({
      mode: 'load',
      url: server.url,
      clients,
      rooms: 10,
      rate,
      seconds,
    });
    await expect.poll(async () => (await server!.health()).health.connections).toBe(0);
    const end = await server.health();
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
    console.log(
      `[load] ${result.connected}/${clients} connected, ${seconds} s, sent ${result.sent}, acked ${result.acked}, ` +
        `received ${result.received}, errors ${JSON.stringify(result.errorCodes)}; server RSS ${mb(start.memory.rss)} → ${mb(end.memory.rss)}, ` +
        `heap after GC ${mb(start.memory.heapUsed)} → ${mb(end.memory.heapUsed)}`,
    );
    expect(result.connected).toBe(clients);
    expect(result.connectErrors).toBe(0);
    expect(result.disconnects).toBe(0);
    expect(result.ackErrors).toBe(0);
    expect(result.acked).toBe(result.sent);
    expect(result.sent).toBeGreaterThan(0);
    // Each message reaches the other members of its room (100 per room, sender excluded).
    expect(result.received).toBe(result.acked * (clients / 10 - 1));
    expect(end.errors).toBe(0);
    expect(end.health.counters.messages).toBe(result.acked);
    // Memory flat: the heap after GC, with every client gone, within 32 MB of the start.
    expect(end.memory.heapUsed - start.memory.heapUsed).toBeLessThan(32 * 1048576);
  },
  (seconds + 90) * 1000,
);
