import { afterAll, expect, test } from 'vitest';
import WebSocket from 'ws';
import { rawClient } from './clients.js';
import { ServerProcess } from './harness.js';

let server: ServerProcess | undefined;
afterAll(() => server?.stop());

/** One raw Engine.IO v4 / Socket.IO v5 session over a plain `ws` socket. */
interface RawSession {
  ws: WebSocket;
  frames: string[];
  closed: Promise<number>;
  isClosed(): boolean;
  next(match: (frame: string) => boolean, timeoutMs?: number): Promise<string | null>;
}

function rawSession(
  url: string,
  auth: object | null = { token: 'token-fuzz' },
): Promise<RawSession> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const frames: string[] = [];
  const waiters = new Set<(frame: string) => void>();
  let isClosed = false;
  const closed = new Promise<number>((resolve) =>
    ws.on('close', (code) => {
      isClosed = true;
      resolve(code);
    }),
  );
  ws.on('error', () => {});
  ws.on('message', (data) => {
    const frame = data.toString();
    if (frame === '2') return ws.send('3'); // Engine.IO ping → pong
    frames.push(frame);
    for (const w of [...waiters]) w(frame);
  });
  const session: RawSession = {
    ws,
    frames,
    closed,
    isClosed: () => isClosed,
    next(match, timeoutMs = 3000) {
      const seen = frames.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const done = (value: string | null) => {
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(value);
        };
        const waiter = (frame: string) => match(frame) && done(frame);
        // An upper bound on waiting for a reply that may legitimately never come.
        const timer = setTimeout(() => done(null), timeoutMs);
        waiters.add(waiter);
        void closed.then(() => done(null));
      });
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', async () => {
      await session.next((f) => f.startsWith('0{'));
      if (auth === null) return resolve(session);
      ws.send(`40${JSON.stringify(auth)}`);
      const hello = await session.next((f) => f.startsWith('42["wk:hello"') || f.startsWith('44'));
      if (!hello?.startsWith('42')) return reject(new Error(`no hello: ${hello}`));
      resolve(session);
    });
    ws.once('error', reject);
  });
}

type Outcome = `error:${string}` | 'closed' | 'ignored' | 'accepted';

/** Sends an acked frame (`42<id>[...]`) and reports the typed error code, a close, or nothing. */
async function ackOutcome(session: RawSession, id: number, body: string): Promise<Outcome> {
  session.ws.send(`42${id}${body}`);
  const reply = await session.next((f) => f.startsWith(`43${id}[`));
  if (reply) {
    const [ack] = JSON.parse(reply.slice(`43${id}`.length)) as [
      { ok: boolean; error?: { code: string } },
    ];
    return ack.ok ? 'ignored' : `error:${ack.error?.code ?? '?'}`;
  }
  return session.isClosed() ? 'closed' : 'ignored';
}

/** Sends a frame that may kill the session; reports whether the server closed it. */
async function frameOutcome(url: string, frame: string | Buffer): Promise<Outcome> {
  const session = await rawSession(url);
  session.ws.send(frame);
  // The session is alive iff it still answers an acked ping afterwards.
  if (!session.isClosed()) session.ws.send('4299["wk:ping"]');
  const pong = await session.next((f) => f.startsWith('4399['));
  const outcome: Outcome = pong ? 'ignored' : 'closed';
  session.ws.terminate();
  return outcome;
}

test('bad input sweep: typed errors or dropped-and-counted; the server stays up for others', async () => {
  server = await ServerProcess.start({ rateLimit: { capacity: 30, refillPerSecond: 10 } });
  const url = server.url;
  const observer = await rawClient(url, 'observer');
  const observerOk = async () => {
    const ack = (await observer.timeout(5000).emitWithAck('wk:ping')) as { ok: boolean };
    return ack.ok && observer.connected;
  };
  const counts: Record<string, Record<Outcome, number>> = {};
  const record = (category: string, outcome: Outcome) => {
    counts[category] ??= {} as Record<Outcome, number>;
    counts[category][outcome] = (counts[category][outcome] ?? 0) + 1;
  };

  // Typed-error cases on one authenticated session, each with the code it must get.
  const session = await rawSession(url);
  const big = 'x'.repeat(40_000); // over maxEventBytes (32 KiB), under maxHttpBufferSize
  const typed: [string, string, string][] = [
    ['wrong type', '["chat:send","hello"]', 'invalid'],
    ['wrong type', '["chat:send",null]', 'invalid'],
    ['wrong type', '["chat:join",{"room":42}]', 'invalid'],
    ['wrong type', '["chat:history",{"room":"r","before":{"$gt":""}}]', 'invalid'],
    ['wrong type', '["notify:read",{"ids":"all"}]', 'invalid'],
    ['missing field', '["chat:send",{"room":"lobby"}]', 'invalid'],
    ['missing field', '["chat:send",{"text":"hi"}]', 'invalid'],
    ['missing field', '["chat:edit",{"room":"lobby"}]', 'invalid'],
    ['missing field', '["chat:join",{}]', 'invalid'],
    ['oversized', `["chat:send",{"room":"lobby","text":"${big}"}]`, 'too_large'],
    ['oversized', `["chat:join",{"room":"${big}"}]`, 'too_large'],
    ['unknown event', '["nope",{}]', 'invalid'],
    ['unknown event', '["constructor",{}]', 'invalid'],
    ['unknown event', '["__proto__",{}]', 'invalid'],
    [
      'not joined',
      '["chat:send",{"room":"lobby","text":"<img src=x onerror=alert(1)>"}]',
      'forbidden',
    ],
  ];
  let id = 1;
  for (const [category, body, code] of typed) {
    const outcome = await ackOutcome(session, id++, body);
    record(category, outcome);
    expect(outcome, `${category}: ${body.slice(0, 60)}`).toBe(`error:${code}`);
  }
  expect(session.isClosed()).toBe(false);
  session.ws.terminate();
  expect(await observerOk()).toBe(true);

  // Malformed frames: a broken packet closes that session (dropped), or is ignored.
  const malformed: (string | Buffer)[] = [
    '42[',
    '42{"a":1}',
    '42["chat:send"',
    '4',
    '49',
    '9',
    '',
    '42[1,2,3]',
    '42[null]',
    '43999[{"ok":true}]',
    '40{"token":"token-other"}',
    '41',
    Buffer.from([0xff, 0x00, 0x13, 0x37]),
    `42["chat:send",{"room":"lobby","text":"${'y'.repeat(100_000)}"}]`, // over maxHttpBufferSize
  ];
  for (const frame of malformed) {
    const outcome = await frameOutcome(url, frame);
    record('malformed', outcome);
    expect(['closed', 'ignored']).toContain(outcome);
    expect(await observerOk()).toBe(true);
  }

  // Floods: 300 acked sends on one socket (the token bucket answers rate_limited), and 100
  // handshakes with a bad token (refused, counted).
  const flooder = await rawSession(url);
  flooder.ws.send('42900["chat:join",{"room":"flood"}]');
  await flooder.next((f) => f.startsWith('43900['));
  for (let k = 0; k < 300; k++) {
    flooder.ws.send(`42${1000 + k}["chat:send",{"room":"flood","text":"f${k}"}]`);
  }
  const floodReplies = await Promise.all(
    Array.from({ length: 300 }, (_, k) =>
      flooder.next((f) => f.startsWith(`43${1000 + k}[`), 10_000),
    ),
  );
  for (const reply of floodReplies) {
    const ack = reply
      ? (JSON.parse(reply.replace(/^43\d+/, '')) as [{ ok: boolean; error?: { code: string } }])[0]
      : null;
    record('flood', ack ? (ack.ok ? 'accepted' : `error:${ack.error?.code}`) : 'closed');
  }
  expect(counts.flood?.['error:rate_limited'] ?? 0).toBeGreaterThan(200);
  expect(counts.flood?.closed ?? 0).toBe(0);
  flooder.ws.terminate();

  const refusals = await Promise.all(
    Array.from({ length: 100 }, async () => {
      const s = await rawSession(url, null);
      s.ws.send('40{"token":"forged"}');
      const reply = await s.next((f) => f.startsWith('44') || f.startsWith('40'));
      s.ws.terminate();
      return reply?.startsWith('44') ? 'error:unauthorized' : 'ignored';
    }),
  );
  for (const r of refusals) record('handshake flood', r as Outcome);
  expect(refusals.every((r) => r === 'error:unauthorized')).toBe(true);

  expect(await observerOk()).toBe(true);
  expect(server.alive()).toBe(true);
  const health = await server.health();
  expect(health.health.counters.refused.unauthorized).toBe(100);
  expect(health.health.connections).toBe(1); // only the observer is left
  expect(health.health.counters.errors.rate_limited).toBe(counts.flood?.['error:rate_limited']);
  expect(health.health.counters.errors.too_large).toBe(2);
  console.log('[bad-input] outcomes per category:');
  console.table(counts);
  console.log(`[bad-input] server counters: ${JSON.stringify(health.health.counters)}`);
  observer.disconnect();
});
