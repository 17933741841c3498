import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Connection } from '../connection/Connection.js';
import type { LinkHandlers } from './types.js';
import { type WebSocketLike, type WireFrame, websocket } from './websocket.js';

/** An in-process stand-in for a WebSocket: the test plays the server frame by frame. */
class FakeWebSocket implements WebSocketLike {
  static last: FakeWebSocket | undefined;
  readyState = 0;
  readonly sent: WireFrame[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.last = this;
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as WireFrame);
  }
  close(): void {
    this.readyState = 3;
  }
  /** The server accepts: open, then `ready` after the client's hello. */
  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
    this.receive({ t: 'ready' });
  }
  receive(frame: WireFrame): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  /** Ack ids of the acked `msg` frames sent so far. */
  get ackIds(): number[] {
    return this.sent.flatMap((f) => (f.t === 'msg' && f.ack !== undefined ? [f.ack] : []));
  }
}

const transport = websocket({ WebSocket: FakeWebSocket });
const handlers = (): LinkHandlers => ({
  onOpen: vi.fn(),
  onMessage: vi.fn(),
  onInvalid: vi.fn(),
  onClose: vi.fn(),
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('websocket transport acks', () => {
  it('forget() drops an ack callback: its late reply reaches nothing', () => {
    const link = transport.connect({
      key: '/ws',
      url: 'ws://127.0.0.1:1',
      auth: undefined,
      timeout: 1_000,
      handlers: handlers(),
    });
    const ws = FakeWebSocket.last!;
    ws.accept();
    const forgotten = vi.fn();
    const kept = vi.fn();
    link.send('a', 1, { cid: 'c1' }, forgotten);
    link.send('b', 2, { cid: 'c2' }, kept);
    link.forget?.(forgotten);
    const [first, second] = ws.ackIds;
    ws.receive({ t: 'ack', id: first!, d: 'late' });
    ws.receive({ t: 'ack', id: second!, d: 'on time' });
    expect(forgotten).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledWith('on time');
  });

  it('a connection forgets timed-out acks: a late reply never resolves a resend of the same client id', async () => {
    const connection = new Connection({
      key: '/ws',
      url: 'ws://127.0.0.1:1',
      transport,
      heartbeat: false,
    });
    connection.open();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.last!;
    ws.accept();
    expect(connection.state).toBe('connected');
    const first = connection.send('x', 1, { ack: true, timeout: 100, cid: 'same' });
    const firstOutcome = first.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    expect(await firstOutcome).toMatchObject({ kind: 'timeout' });
    const second = connection.send('x', 1, { ack: true, timeout: 1_000, cid: 'same' });
    let settled: unknown = 'pending';
    void second.then((value) => (settled = value));
    const [stale, fresh] = ws.ackIds;
    ws.receive({ t: 'ack', id: stale!, d: 'stale' });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe('pending');
    ws.receive({ t: 'ack', id: fresh!, d: 'fresh' });
    await expect(second).resolves.toBe('fresh');
    connection.close();
  });

  it('a fire-and-forget send while the socket is CLOSING is not written or counted, and goes out after the reconnect', async () => {
    const connection = new Connection({
      key: '/ws',
      url: 'ws://127.0.0.1:1',
      transport,
      heartbeat: false,
      backoff: { initialDelay: 10, jitter: 0 },
    });
    connection.open();
    await vi.advanceTimersByTimeAsync(0);
    const first = FakeWebSocket.last!;
    first.accept();
    first.readyState = 2; // CLOSING: the close event is on its way
    connection.send('x', 'during the close');
    expect(first.sent.filter((f) => f.t === 'msg')).toEqual([]);
    expect(connection.getSnapshot()).toMatchObject({ messagesOut: 0, queued: 1 });
    first.readyState = 3;
    first.onclose?.({ code: 1006, reason: '' });
    await vi.advanceTimersByTimeAsync(10);
    const second = FakeWebSocket.last!;
    expect(second).not.toBe(first);
    second.accept();
    expect(second.sent.filter((f) => f.t === 'msg')).toEqual([
      { t: 'msg', e: 'x', d: 'during the close', cid: expect.any(String) },
    ]);
    expect(connection.getSnapshot()).toMatchObject({ messagesOut: 1, queued: 0 });
    connection.close();
  });

  it('counts a volatile send only when it is written, not when backpressure or a closing socket drops it', async () => {
    const connection = new Connection({
      key: '/ws',
      url: 'ws://127.0.0.1:1',
      transport,
      heartbeat: false,
    });
    connection.open();
    await vi.advanceTimersByTimeAsync(0);
    const ws = Object.assign(FakeWebSocket.last!, { bufferedAmount: 0 });
    ws.accept();
    const written = () => ws.sent.filter((f) => f.t === 'msg').map((f) => f.t === 'msg' && f.d);
    connection.send('typing', 1, { volatile: true });
    ws.bufferedAmount = 1 << 20; // a slow network: the socket's buffer is backed up
    connection.send('typing', 2, { volatile: true });
    ws.bufferedAmount = 0;
    ws.readyState = 2; // CLOSING
    connection.send('typing', 3, { volatile: true });
    expect(written()).toEqual([1]);
    expect(connection.getSnapshot()).toMatchObject({ messagesOut: 1, queued: 0 });
    connection.close();
  });
});
