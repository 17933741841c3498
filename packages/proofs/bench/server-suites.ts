import { type LoadResult, runClients, ServerProcess } from '../src/harness.js';
import type { Row } from './table.js';

interface FanoutResult {
  clients: number;
  deliveries: number;
  p50: number;
  p99: number;
  lastP50: number;
  lastP99: number;
  connectErrors: number;
  ackErrors: number;
  /** From the first join to the last ack, every client joining at once. */
  joinMs: number;
  /** `chat:presence` events one client got during the join storm (most of any client). */
  presenceMax: number;
  presenceTotal: number;
}

/**
 * Fan-out: 1,000 clients (helper process) in one room, one sender; latency from send to each
 * delivery, through wirekit's chat:send (validate, store, broadcast) vs a bare Socket.IO relay
 * on the same server. Every client joins at once first (no batches): join time and the
 * presence events each client got show the server's coalesced presence.
 */
export async function fanoutSuite(
  clients = Number(process.env.FANOUT_CLIENTS ?? 1000),
): Promise<Row[]> {
  const server = await ServerProcess.start({ maxConnections: clients + 100 });
  try {
    const messages = Number(process.env.FANOUT_MESSAGES ?? 30);
    const raw = await runClients<FanoutResult>({
      mode: 'fanout',
      raw: true,
      url: server.url,
      clients,
      messages,
    });
    const wk = await runClients<FanoutResult>({
      mode: 'fanout',
      url: server.url,
      clients,
      messages,
    });
    if (wk.connectErrors || wk.ackErrors || raw.connectErrors)
      throw new Error(`fan-out errors: ${JSON.stringify({ wk, raw })}`);
    const suite = `server fan-out (${clients.toLocaleString('en-US')} clients, 1 room, ${messages} broadcasts)`;
    return [
      { suite, name: 'bare Socket.IO relay p50', value: raw.p50, unit: 'ms', better: 'lower' },
      {
        suite,
        name: 'wirekit chat:send p50',
        value: wk.p50,
        unit: 'ms',
        better: 'lower',
        baseline: 'bare Socket.IO relay p50',
      },
      { suite, name: 'bare Socket.IO relay p99', value: raw.p99, unit: 'ms', better: 'lower' },
      {
        suite,
        name: 'wirekit chat:send p99',
        value: wk.p99,
        unit: 'ms',
        better: 'lower',
        baseline: 'bare Socket.IO relay p99',
      },
      {
        suite,
        name: 'bare relay, last delivery p50',
        value: raw.lastP50,
        unit: 'ms',
        better: 'lower',
      },
      {
        suite,
        name: 'wirekit, last delivery p50',
        value: wk.lastP50,
        unit: 'ms',
        better: 'lower',
        baseline: 'bare relay, last delivery p50',
      },
      // All clients join at once (no batches): with coalesced presence every join is acked.
      {
        suite,
        name: 'bare Socket.IO, all join at once',
        value: raw.joinMs,
        unit: 'ms',
        better: 'lower',
      },
      {
        suite,
        name: 'wirekit chat:join, all at once',
        value: wk.joinMs,
        unit: 'ms',
        better: 'lower',
        baseline: 'bare Socket.IO, all join at once',
        note: `${wk.ackErrors} join errors`,
      },
      {
        suite,
        name: 'presence events per client during the joins (max)',
        value: wk.presenceMax,
        unit: 'msgs',
        better: 'lower',
        note: `one per join would be ${(wk.clients - 1).toLocaleString('en-US')}; all clients: ${wk.presenceTotal.toLocaleString('en-US')}`,
      },
    ];
  } finally {
    await server.stop();
  }
}

/** Load: 1,000 clients over 10 rooms at 200 msg/s for LOAD_SECONDS (default 60). */
export async function loadSuite(): Promise<Row[]> {
  const seconds = Number(process.env.LOAD_SECONDS ?? 60);
  const clients = 1000;
  // The same capped retention as the load proof (src/load.test.ts): growth past it is a leak.
  const server = await ServerProcess.start({
    maxConnections: clients + 100,
    memoryStore: { maxHistoryPerRoom: 100, maxDedupeKeys: 1000 },
  });
  try {
    const start = await server.idleHealth();
    const result = await runClients<LoadResult>({
      mode: 'load',
      url: server.url,
      clients,
      rooms: 10,
      rate: 200,
      seconds,
    });
    // Wait until the server has seen every client leave, so the end figure has no sockets,
    // and until its heap after GC has settled (see ServerProcess#idleHealth).
    while ((await server.health()).health.connections > 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const end = await server.idleHealth();
    const errors = result.connectErrors + result.disconnects + result.ackErrors;
    const suite = `load (${clients} clients, 10 rooms, 200 msg/s target, ${seconds} s)`;
    const mb = (n: number) => n / 1048576;
    return [
      { suite, name: 'connected', value: result.connected, unit: 'clients', better: 'higher' },
      { suite, name: 'errors', value: errors, unit: '', better: 'lower' },
      {
        suite,
        name: 'acked / sent',
        value: result.acked,
        unit: `of ${result.sent}`,
        better: 'higher',
      },
      {
        suite,
        name: 'achieved send rate',
        value: result.sent / seconds,
        unit: 'msg/s',
        better: 'higher',
      },
      {
        suite,
        name: 'deliveries',
        value: result.received,
        unit: `msgs (expected ${result.acked * 99})`,
        better: 'higher',
      },
      {
        suite,
        name: 'server RSS at start',
        value: mb(start.memory.rss),
        unit: 'MB',
        better: 'lower',
      },
      {
        suite,
        name: 'server RSS at end',
        value: mb(end.memory.rss),
        unit: 'MB',
        better: 'lower',
        baseline: 'server RSS at start',
      },
      {
        suite,
        name: 'server heap after GC at start',
        value: mb(start.memory.heapUsed),
        unit: 'MB',
        better: 'lower',
      },
      {
        suite,
        name: 'server heap after GC at end',
        value: mb(end.memory.heapUsed),
        unit: 'MB',
        better: 'lower',
        baseline: 'server heap after GC at start',
      },
    ];
  } finally {
    await server.stop();
  }
}
