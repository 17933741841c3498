import { Connection, socketio, websocket, type WebSocketConstructor } from '@wirekit/core';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { startBenchServer } from './servers.js';
import { percentile, type Row } from './table.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50_000);
const ROUNDS = 5;
const RTTS = Number(process.env.BENCH_RTTS ?? 2000);
const now = () => performance.now();

function wirekitConnection(url: string, kind: 'ws' | 'sio'): Promise<Connection> {
  const connection = new Connection({
    key: kind === 'ws' ? '/ws' : '/',
    url,
    transport:
      kind === 'ws'
        ? websocket({ WebSocket: WebSocket as unknown as WebSocketConstructor })
        : socketio(),
    heartbeat: false,
  });
  connection.open();
  return new Promise((resolve) => {
    const stop = connection.subscribe((s) => {
      if (s.state === 'connected') {
        stop();
        resolve(connection);
      }
    });
  });
}

function rawSocketIo(url: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve) => socket.once('connect', () => resolve(socket)));
}

function rawWs(url: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
  return new Promise((resolve) => ws.once('open', () => resolve(ws)));
}

/** Best of ROUNDS: messages per second from the request to the last message handled. */
async function best(round: () => Promise<number>): Promise<number> {
  let top = 0;
  await round(); // warm-up
  for (let i = 0; i < ROUNDS; i++) top = Math.max(top, await round());
  return top;
}

/**
 * Receive throughput and acked round trips in Node: wirekit over each transport against the
 * raw client of that transport, same server, same payloads (each handler reads the payload).
 * Chromium variant: see bench/run.ts (`browserSuites`).
 */
export async function nodeTransportSuites(): Promise<Row[]> {
  const server = await startBenchServer();
  const rows: Row[] = [];
  let sink = 0;
  try {
    // Raw WebSocket: JSON.parse each frame, as every client must.
    const ws = await rawWs(server.url);
    const wsRaw = await best(
      () =>
        new Promise((resolve) => {
          let got = 0;
          const t0 = now();
          ws.onmessage = (ev) => {
            const frame = JSON.parse(String(ev.data)) as { d: { seq: number } };
            sink += frame.d.seq;
            if (++got === MESSAGES) resolve((MESSAGES / (now() - t0)) * 1000);
          };
          ws.send(JSON.stringify({ t: 'msg', e: 'blast', d: MESSAGES }));
        }),
    );
    ws.close();

    const wkWs = await wirekitConnection(server.url, 'ws');
    const wkWsRate = await best(
      () =>
        new Promise((resolve) => {
          let got = 0;
          const t0 = now();
          const off = wkWs.on('tick', (data) => {
            const d = data as { seq: number };
            sink += d.seq;
            if (++got === MESSAGES) {
              off();
              resolve((MESSAGES / (now() - t0)) * 1000);
            }
          });
          wkWs.send('blast', MESSAGES);
        }),
    );

    const sio = await rawSocketIo(server.url);
    const sioRate = await best(
      () =>
        new Promise((resolve) => {
          let got = 0;
          const t0 = now();
          const onTick = (d: { seq: number }) => {
            sink += d.seq;
            if (++got === MESSAGES) {
              sio.off('tick', onTick);
              resolve((MESSAGES / (now() - t0)) * 1000);
            }
          };
          sio.on('tick', onTick);
          sio.emit('blast', MESSAGES);
        }),
    );

    const wkSio = await wirekitConnection(server.url, 'sio');
    const wkSioRate = await best(
      () =>
        new Promise((resolve) => {
          let got = 0;
          const t0 = now();
          const off = wkSio.on('tick', (data) => {
            const d = data as { seq: number };
            sink += d.seq;
            if (++got === MESSAGES) {
              off();
              resolve((MESSAGES / (now() - t0)) * 1000);
            }
          });
          wkSio.send('blast', MESSAGES);
        }),
    );
    const suite = `receive throughput, Node (${MESSAGES.toLocaleString('en-US')} msgs, best of ${ROUNDS})`;
    rows.push(
      { suite, name: 'raw ws', value: wsRaw, unit: 'msg/s', better: 'higher' },
      {
        suite,
        name: 'wirekit websocket()',
        value: wkWsRate,
        unit: 'msg/s',
        better: 'higher',
        baseline: 'raw ws',
      },
      { suite, name: 'raw socket.io-client', value: sioRate, unit: 'msg/s', better: 'higher' },
      {
        suite,
        name: 'wirekit socketio()',
        value: wkSioRate,
        unit: 'msg/s',
        better: 'higher',
        baseline: 'raw socket.io-client',
      },
      {
        suite,
        name: 'wirekit socketio() vs raw ws',
        value: wkSioRate,
        unit: 'msg/s',
        better: 'higher',
        baseline: 'raw ws',
      },
    );

    // Round trips: sequential acked sends.
    const rtt = async (send: () => Promise<unknown>) => {
      for (let i = 0; i < 200; i++) await send(); // warm-up
      const samples: number[] = [];
      for (let i = 0; i < RTTS; i++) {
        const t0 = now();
        await send();
        samples.push(now() - t0);
      }
      return samples.sort((a, b) => a - b);
    };
    const rawRtt = await rtt(() => sio.timeout(5000).emitWithAck('echo', { n: 1 }));
    const wkRtt = await rtt(() => wkSio.send('echo', { n: 1 }, { ack: true, timeout: 5000 }));
    const wkWsRtt = await rtt(() => wkWs.send('echo', { n: 1 }, { ack: true, timeout: 5000 }));
    const rs = `acked round trip (${RTTS.toLocaleString('en-US')} sequential)`;
    for (const p of [50, 99]) {
      rows.push(
        {
          suite: rs,
          name: `raw emitWithAck p${p}`,
          value: percentile(rawRtt, p),
          unit: 'ms',
          better: 'lower',
        },
        {
          suite: rs,
          name: `wirekit socketio() send ack p${p}`,
          value: percentile(wkRtt, p),
          unit: 'ms',
          better: 'lower',
          baseline: `raw emitWithAck p${p}`,
        },
        {
          suite: rs,
          name: `wirekit websocket() send ack p${p}`,
          value: percentile(wkWsRtt, p),
          unit: 'ms',
          better: 'lower',
          baseline: `raw emitWithAck p${p}`,
        },
      );
    }
    sio.disconnect();
    wkSio.close();
    wkWs.close();
  } finally {
    server.stop();
  }
  if (sink < 0) console.log(sink);
  return rows;
}
