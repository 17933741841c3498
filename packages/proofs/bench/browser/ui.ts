/**
 * @wirekit/ui render benchmarks in Chromium (issue 8), each against a naive Svelte baseline in
 * the same run, both fed by a real wirekit server over Socket.IO on 127.0.0.1 (this process:
 * `attachWirekit` + `MemoryStore`, history seeded through the store):
 *
 * - `chatPanelSuite()`: ChatPanel first paint (join of a 10k-message room; and ChatPanel's list
 *   mounted on a 10k history already in hand), the main-thread cost of one incoming message at
 *   1k / 10k / 100k messages held by the model, and DOM sizes.
 * - `notificationBellSuite()`: renders per animation frame while 1,000 notifications/s arrive.
 *
 * Pages: bench/browser/pages/{chat,bell}.html (production build), driven over a bare DevTools
 * connection.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connectClient, type Socket } from 'socket.io-client';
import { attachWirekit, createId, MemoryStore, type WirekitServer } from '@wirekit/server';
import type { Row } from '../table.js';
import { buildBenchPages, serveBenchPages } from './build.js';
import { launchChromium, type CdpPage } from './cdp.js';

const ROUNDS = Number(process.env.BENCH_UI_ROUNDS ?? 5);
/** Appends per block; the figure is the median of the blocks' means. */
const APPEND_BLOCK = 5;
const APPEND_BLOCKS = Number(process.env.BENCH_UI_BLOCKS ?? 5);
const SIZES = (process.env.BENCH_UI_SIZES ?? '1000,10000,100000').split(',').map(Number);
const BELL_RATE = 1000;
const BELL_SECONDS = Number(process.env.BENCH_BELL_SECONDS ?? 3);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const spread = (values: number[], digits = 1) =>
  `median of ${values.length}, ${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
const k = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

interface UiServer {
  url: string;
  wirekit: WirekitServer;
  close(): Promise<void>;
}

const USERS: Record<string, { id: string; name: string }> = {
  alice: { id: 'alice', name: 'Alice' },
  bob: { id: 'bob', name: 'Bob' },
  carol: { id: 'carol', name: 'Carol' },
};

/** A real wirekit server: Socket.IO + attachWirekit, memory store sized for 100k-message rooms. */
async function startUiServer(): Promise<UiServer> {
  const http = createServer();
  const io = new Server(http, { cors: { origin: true } });
  const wirekit = attachWirekit(io, {
    authenticate: (token) => USERS[token.replace(/^token-/, '')] ?? null,
    store: new MemoryStore({ maxHistoryPerRoom: 1_000_000, maxNotificationsPerUser: 200 }),
    // The bench pages 100k messages in 1,000 requests; the default bucket would throttle that.
    rateLimit: false,
    onError: (error) => console.error(error),
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    wirekit,
    async close() {
      await wirekit.close();
      await io.close();
    },
  };
}

const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco.';

/** Seeds `count` messages by bob and carol, 10 s apart and ending now, straight into the store. */
async function seedRoom(wirekit: WirekitServer, room: string, count: number): Promise<void> {
  const end = Date.now() - 60_000;
  for (let i = 0; i < count; i++) {
    const createdAt = end - (count - i) * 10_000;
    await wirekit.store.appendMessage({
      id: createId(createdAt),
      room,
      text: `#${i} ${LOREM.slice(0, 20 + ((i * 37) % 150))}`,
      user: i % 3 === 0 ? USERS.carol! : USERS.bob!,
      createdAt,
    });
  }
}

/** A second user on its own raw socket: the sender of the appended messages. */
async function connectBob(url: string, rooms: string[]): Promise<Socket> {
  const socket = connectClient(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: { token: 'token-bob' },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('wk:hello', () => resolve());
    socket.once('connect_error', reject);
  });
  for (const room of rooms) {
    const ack = (await socket.timeout(5000).emitWithAck('chat:join', { room, limit: 1 })) as {
      ok: boolean;
    };
    if (!ack.ok) throw new Error(`bob could not join ${room}`);
  }
  return socket;
}

let sent = 0;
async function sendAsBob(bob: Socket, room: string): Promise<string> {
  const ack = (await bob.timeout(5000).emitWithAck('chat:send', {
    room,
    text: `append ${++sent}: ${LOREM.slice(0, 60)}`,
    clientId: `bench-${sent}`,
  })) as { ok: boolean; message?: { id: string } };
  if (!ack.ok || !ack.message) throw new Error(`send refused: ${JSON.stringify(ack)}`);
  return ack.message.id;
}

/** Main-thread seconds so far (script, style, layout) of the page, from CDP Performance. */
async function mainThread(page: CdpPage): Promise<{ script: number; total: number }> {
  const { metrics } = await page.send<{ metrics: { name: string; value: number }[] }>(
    'Performance.getMetrics',
  );
  const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  const script = get('ScriptDuration');
  return { script, total: script + get('RecalcStyleDuration') + get('LayoutDuration') };
}

let pages: Promise<string> | undefined;
/** Builds the pages once per run and serves them. */
async function servePages() {
  pages ??= buildBenchPages();
  return serveBenchPages(await pages);
}

type Kind = 'panel' | 'naive';
const KINDS: Kind[] = ['panel', 'naive'];
const label = (kind: Kind, name: string) => (kind === 'panel' ? name : `naive: ${name}`);

/** ChatPanel vs a naive `{#each}` list: first paint, append cost by history length, DOM size. */
export async function chatPanelSuite(): Promise<Row[]> {
  const server = await startUiServer();
  const rooms = Object.fromEntries(SIZES.map((n) => [n, `h${k(n)}`]));
  const firstPaintRoom = 'fp10k';
  await seedRoom(server.wirekit, firstPaintRoom, 10_000);
  for (const n of SIZES) await seedRoom(server.wirekit, rooms[n]!, n);
  const bob = await connectBob(server.url, Object.values(rooms));
  const http = await servePages();
  const browser = await launchChromium();
  const rows: Row[] = [];
  const suite = 'chatpanel';
  try {
    const page = await browser.newPage(
      `${http.url}chat.html?server=${encodeURIComponent(server.url)}`,
    );
    await page.send('Performance.enable', { timeDomain: 'threadTicks' });
    const chat = (expr: string) => page.evaluate(`window.benchChat.${expr}`);

    // 1. First paint of a room with 10k messages: mount → joined → newest page painted.
    const join: Record<Kind, number[]> = { panel: [], naive: [] };
    for (let round = -1; round < ROUNDS; round++) {
      for (const kind of round % 2 ? KINDS : [...KINDS].reverse()) {
        const { firstPaint } = (await chat(`mount('${kind}', '${firstPaintRoom}')`)) as {
          firstPaint: number;
        };
        if (round >= 0) join[kind].push(firstPaint);
      }
    }
    await chat('stop()');
    for (const kind of KINDS) {
      rows.push({
        suite,
        name: label(kind, 'first paint, join of a 10k room (newest 100)'),
        value: median(join[kind]),
        unit: 'ms',
        better: 'lower',
        ...(kind === 'panel'
          ? { baseline: label('naive', 'first paint, join of a 10k room (newest 100)') }
          : {}),
        note: spread(join[kind]),
      });
    }

    // 2. First paint with the 10k history in hand: ChatPanel's list vs the naive list.
    const inHand: Record<Kind, number[]> = { panel: [], naive: [] };
    const inHandNodes: Record<Kind, number> = { panel: 0, naive: 0 };
    for (let round = -1; round < ROUNDS; round++) {
      for (const kind of round % 2 ? KINDS : [...KINDS].reverse()) {
        const { ms, length } = (await chat(`listFirstPaint('${kind}', '${firstPaintRoom}')`)) as {
          ms: number;
          length: number;
        };
        if (length !== 10_000) throw new Error(`history in hand: ${length} messages`);
        inHandNodes[kind] = ((await chat('nodes()')) as { elements: number }).elements;
        if (round >= 0) inHand[kind].push(ms);
      }
    }
    await chat('stop()');
    const inHandName = 'first paint, 10k messages in hand (list)';
    for (const kind of KINDS) {
      rows.push({
        suite,
        name: label(kind, inHandName),
        value: median(inHand[kind]),
        unit: 'ms',
        better: 'lower',
        ...(kind === 'panel' ? { baseline: label('naive', inHandName) } : {}),
        note: `${spread(inHand[kind])}; ${inHandNodes[kind].toLocaleString('en-US')} elements`,
      });
    }

    // 3. One incoming message at 1k / 10k / 100k messages held by the model.
    const perMessage: Record<Kind, Record<number, number>> = { panel: {}, naive: {} };
    for (const n of SIZES) {
      const room = rooms[n]!;
      for (const kind of KINDS) {
        await chat(`mount('${kind}', '${room}')`);
        const loaded = (await chat('loadAll()')) as { ms: number };
        const dom = (await chat('nodes()')) as { elements: number; nodes: number };
        for (let i = 0; i < 3; i++)
          await chat(`rendered(${JSON.stringify(await sendAsBob(bob, room))})`);
        const blocks: number[] = [];
        const flushes: number[] = [];
        const layouts: number[] = [];
        for (let b = 0; b < APPEND_BLOCKS; b++) {
          await chat('resetSamples()');
          const before = await mainThread(page);
          for (let i = 0; i < APPEND_BLOCK; i++) {
            const id = await sendAsBob(bob, room);
            await chat(`rendered(${JSON.stringify(id)})`);
          }
          const after = await mainThread(page);
          blocks.push(((after.total - before.total) * 1000) / APPEND_BLOCK);
          const samples = (await chat('samples()')) as { script: number; layout: number }[];
          flushes.push(...samples.map((s) => s.script));
          layouts.push(...samples.map((s) => s.layout));
        }
        await chat('stop()');
        perMessage[kind][n] = median(blocks);
        const name = `append @${k(n)}: main thread per message`;
        rows.push({
          suite,
          name: label(kind, name),
          value: median(blocks),
          unit: 'ms',
          better: 'lower',
          ...(kind === 'panel' ? { baseline: label('naive', name) } : {}),
          note: `${spread(blocks, 2)} blocks of ${APPEND_BLOCK}; script+style+layout`,
        });
        const flushName = `append @${k(n)}: model flush + DOM update`;
        rows.push({
          suite,
          name: label(kind, flushName),
          value: median(flushes),
          unit: 'ms',
          better: 'lower',
          ...(kind === 'panel' ? { baseline: label('naive', flushName) } : {}),
          note: `${spread(flushes, 2)}; forced layout after it ${median(layouts).toFixed(2)} ms`,
        });
        const domName = `DOM elements @${k(n)}`;
        rows.push({
          suite,
          name: label(kind, domName),
          value: dom.elements,
          unit: 'elements',
          better: 'lower',
          ...(kind === 'panel' ? { baseline: label('naive', domName) } : {}),
          note: `${dom.nodes.toLocaleString('en-US')} nodes; set-up: history paged in${kind === 'naive' ? ' + full render' : ''} ${(loaded.ms / 1000).toFixed(1)} s`,
        });
      }
    }
    const smallest = SIZES[0]!;
    const largest = SIZES.at(-1)!;
    if (largest !== smallest) {
      for (const kind of KINDS) {
        rows.push({
          suite,
          name: label(kind, `append cost growth ${k(smallest)} → ${k(largest)}`),
          value: perMessage[kind][largest]! / perMessage[kind][smallest]!,
          unit: '×',
          better: 'lower',
          note: 'main thread per message; 1.00 = flat in history length',
        });
      }
    }
  } finally {
    await browser.close();
    http.close();
    bob.disconnect();
    await server.close();
  }
  return rows;
}

/** Sends `count` notifications to alice at `rate` per second through `wirekit.notify`. */
async function notifyBurst(wirekit: WirekitServer, count: number, rate: number): Promise<void> {
  const t0 = performance.now();
  let sent = 0;
  const pending: Promise<unknown>[] = [];
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
    for (; sent < due; sent++) {
      pending.push(
        wirekit.notify('alice', {
          title: `Build ${sent} passed`,
          body: LOREM.slice(0, 60),
          kind: 'success',
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
}

/** NotificationBell vs a naive bell that renders per notification, at 1,000 notifications/s. */
export async function notificationBellSuite(): Promise<Row[]> {
  const server = await startUiServer();
  const http = await servePages();
  const browser = await launchChromium();
  const suite = 'bell';
  const rows: Row[] = [];
  type Result = {
    received: number;
    renders: number;
    frames: number;
    framesWithRenders: number;
    maxPerFrame: number;
    elapsed: number;
    elements: number;
  };
  const kinds = ['bell', 'naive'] as const;
  const results: Record<
    (typeof kinds)[number],
    { perFrame: number[]; max: number[]; cost: number[]; fps: number[] }
  > = {
    bell: { perFrame: [], max: [], cost: [], fps: [] },
    naive: { perFrame: [], max: [], cost: [], fps: [] },
  };
  const count = BELL_RATE * BELL_SECONDS;
  try {
    const page = await browser.newPage(
      `${http.url}bell.html?server=${encodeURIComponent(server.url)}`,
    );
    await page.send('Performance.enable', { timeDomain: 'threadTicks' });
    const bell = (expr: string) => page.evaluate(`window.benchBell.${expr}`);
    const rounds = Math.max(3, Math.ceil(ROUNDS / 2));
    for (let round = -1; round < rounds; round++) {
      for (const kind of round % 2 ? kinds : [...kinds].reverse()) {
        await bell(`mount('${kind}')`);
        await bell('start()');
        const before = await mainThread(page);
        await notifyBurst(server.wirekit, count, BELL_RATE);
        const result = (await bell(`finish(${count})`)) as Result;
        const after = await mainThread(page);
        await bell('stop()');
        if (round < 0) continue;
        const r = results[kind];
        r.perFrame.push(result.renders / result.frames);
        r.max.push(result.maxPerFrame);
        r.cost.push(((after.total - before.total) * 1000) / (result.elapsed / 1000));
        r.fps.push(result.frames / (result.elapsed / 1000));
      }
    }
  } finally {
    await browser.close();
    http.close();
    await server.close();
  }
  const bellLabel = (kind: 'bell' | 'naive', name: string) =>
    kind === 'bell' ? name : `naive: ${name}`;
  const figures = [
    ['renders per frame @1k/s', 'perFrame', 'renders', 2],
    ['max renders in one frame', 'max', 'renders', 0],
    ['main thread per second @1k/s', 'cost', 'ms', 1],
  ] as const;
  for (const [name, key, unit, digits] of figures) {
    for (const kind of kinds) {
      const values = results[kind][key];
      rows.push({
        suite,
        name: bellLabel(kind, name),
        value: median(values),
        unit,
        better: 'lower',
        ...(kind === 'bell' ? { baseline: bellLabel('naive', name) } : {}),
        note: `${spread(values, digits)}; ${median(results[kind].fps).toFixed(0)} frames/s`,
      });
    }
  }
  return rows;
}
