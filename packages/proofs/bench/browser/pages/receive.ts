/**
 * Receive throughput bench page, driven by bench/browser/receive.ts through
 * `window.benchReceive`. Four receivers of the bare bench server (fixtures/bench-server.mjs;
 * the suite passes its URL in each call): the browser's WebSocket and socket.io-client used
 * raw, and wirekit's `Connection` over `websocket()` and `socketio()`.
 * Every handler reads the payload, as in the Node bench (bench/node-transport.ts).
 */
import { Connection, socketio, websocket } from '@wirekit/core';
import { io } from 'socket.io-client';

export type ReceiveKind =
  'raw WebSocket' | 'wirekit websocket()' | 'raw socket.io-client' | 'wirekit socketio()';

interface Receiver {
  /** Asks the server for `messages` ticks; resolves when the handler took the last one. */
  receive(messages: number): Promise<void>;
}

let sink = 0;

function rawWebSocket(server: string): Promise<Receiver> {
  const ws = new WebSocket(`${server.replace(/^http/, 'ws')}/ws`);
  return new Promise((resolve, reject) => {
    ws.onerror = () => reject(new Error('WebSocket failed'));
    ws.onopen = () =>
      resolve({
        receive: (messages) =>
          new Promise((done) => {
            let got = 0;
            ws.onmessage = (ev: MessageEvent<string>) => {
              // JSON.parse each frame, as every client must.
              const frame = JSON.parse(ev.data) as { d: { seq: number } };
              sink += frame.d.seq;
              if (++got === messages) done();
            };
            ws.send(JSON.stringify({ t: 'msg', e: 'blast', d: messages }));
          }),
      });
  });
}

function rawSocketIo(server: string): Promise<Receiver> {
  const socket = io(server, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect_error', reject);
    socket.once('connect', () =>
      resolve({
        receive: (messages) =>
          new Promise((done) => {
            let got = 0;
            const onTick = (d: { seq: number }) => {
              sink += d.seq;
              if (++got === messages) {
                socket.off('tick', onTick);
                done();
              }
            };
            socket.on('tick', onTick);
            socket.emit('blast', messages);
          }),
      }),
    );
  });
}

function wirekit(server: string, kind: 'ws' | 'sio'): Promise<Receiver> {
  const connection = new Connection({
    key: kind === 'ws' ? '/ws' : '/',
    url: server,
    transport: kind === 'ws' ? websocket() : socketio(),
    heartbeat: false,
  });
  connection.open();
  return new Promise((resolve, reject) => {
    const stop = connection.subscribe((s) => {
      if (s.state === 'failed') reject(s.error ?? new Error('failed'));
      if (s.state !== 'connected') return;
      stop();
      resolve({
        receive: (messages) =>
          new Promise((done) => {
            let got = 0;
            const off = connection.on('tick', (data) => {
              sink += (data as { seq: number }).seq;
              if (++got === messages) {
                off();
                done();
              }
            });
            connection.send('blast', messages);
          }),
      });
    });
  });
}

const receivers = new Map<ReceiveKind, Promise<Receiver>>();
const connect: Record<ReceiveKind, (server: string) => Promise<Receiver>> = {
  'raw WebSocket': rawWebSocket,
  'wirekit websocket()': (server) => wirekit(server, 'ws'),
  'raw socket.io-client': rawSocketIo,
  'wirekit socketio()': (server) => wirekit(server, 'sio'),
};

/**
 * One round: messages per second from the request to the last message handled, measured
 * in-page with `performance.now()`. Receivers connect on first use and stay connected.
 */
async function benchReceive(options: {
  server: string;
  kind: ReceiveKind;
  messages: number;
}): Promise<number> {
  const { server, kind, messages } = options;
  let receiver = receivers.get(kind);
  if (!receiver) receivers.set(kind, (receiver = connect[kind](server)));
  const ready = await receiver;
  (globalThis as { gc?: () => void }).gc?.(); // Chromium runs with --expose-gc
  const t0 = performance.now();
  await ready.receive(messages);
  const rate = (messages / (performance.now() - t0)) * 1000;
  if (sink < 0) console.log(sink);
  return rate;
}

declare global {
  interface Window {
    benchReceive: typeof benchReceive;
  }
}
window.benchReceive = benchReceive;
