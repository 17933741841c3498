import { Connection, socketio, websocket, type WebSocketConstructor } from '@wirekit/core';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { startBenchServer } from './servers.js';
import { interleaved, receiveRows } from './rounds.js';
import { percentile, type Row } from './table.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
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

type Figures = { rate: number; cpu: number };

/**
 * One receive round: `request()` asks the server for MESSAGES ticks; `done` must be called by
 * the handler on the last one. Rate = messages per second from the request to the last message
 * handled; cpu = this process's CPU time per message (µs), which the server's speed and the
 * other process on the machine affect far less than the wall-clock rate.
 */
function receiveRound(arm: (done: () => void) => void, request: () => void): Promise<Figures> {
  return new Promise((resolve) => {
    const cpu0 = process.cpuUsage();
    const t0 = now();
    arm(() => {
      const wall = now() - t0;
      const cpu = process.cpuUsage(cpu0);
      resolve({
        rate: (MESSAGES / wall) * 1000,
        cpu: (cpu.user + cpu.system) / MESSAGES,
      });
    });
    request();
  });
}

/**
 * Receive throughput and acked round trips in Node: wirekit over each transport against the
 * raw client of that transport, same server, same payloads (each handler reads the payload).
 * The four receivers stay connected and run interleaved, round by round (bench/rounds.ts).
 * Chromium variant: bench/browser/receive.ts.
 */
export async function nodeTransportSuites(): Promise<Row[]> {
  const server = await startBenchServer();
  const rows: Row[] = [];
  let sink = 0;
  try {
    const ws = await rawWs(server.url);
    const wkWs = await wirekitConnection(server.url, 'ws');
    const sio = await rawSocketIo(server.url);
    const wkSio = await wirekitConnection(server.url, 'sio');

    /** Counts ticks through a wirekit connection; the handler reads the payload. */
    const wirekitRound = (connection: Connection) => () =>
      receiveRound(
        (done) => {
          let got = 0;
          const off = connection.on('tick', (data) => {
            sink += (data as { seq: number }).seq;
            if (++got === MESSAGES) {
              off();
              done();
            }
          });
        },
        () => connection.send('blast', MESSAGES),
      );

    const results = await interleaved(
      {
        // Raw WebSocket: JSON.parse each frame, as every client must.
        'raw ws': () =>
          receiveRound(
            (done) => {
              let got = 0;
              ws.onmessage = (ev) => {
                const frame = JSON.parse(String(ev.data)) as { d: { seq: number } };
                sink += frame.d.seq;
                if (++got === MESSAGES) done();
              };
            },
            () => ws.send(JSON.stringify({ t: 'msg', e: 'blast', d: MESSAGES })),
          ),
        'wirekit websocket()': wirekitRound(wkWs),
        'raw socket.io-client': () =>
          receiveRound(
            (done) => {
              let got = 0;
              const onTick = (d: { seq: number }) => {
                sink += d.seq;
                if (++got === MESSAGES) {
                  sio.off('tick', onTick);
                  done();
                }
              };
              sio.on('tick', onTick);
            },
            () => sio.emit('blast', MESSAGES),
          ),
        'wirekit socketio()': wirekitRound(wkSio),
      },
      { warmup: 1, rounds: ROUNDS },
    );

    const suite = `receive throughput, Node (${MESSAGES.toLocaleString('en-US')} msgs, ${ROUNDS} interleaved rounds)`;
    const cpuSuite = `receive CPU per message, Node client (${ROUNDS} interleaved rounds)`;
    const pairs: [keyof typeof results, (keyof typeof results)?][] = [
      ['raw ws'],
      ['wirekit websocket()', 'raw ws'],
      ['raw socket.io-client'],
      ['wirekit socketio()', 'raw socket.io-client'],
    ];
    rows.push(
      ...receiveRows(results, pairs, {
        suite,
        cpuSuite,
        socketio: 'wirekit socketio()',
        rawWebSocket: 'raw ws',
      }),
    );
    ws.close();

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
