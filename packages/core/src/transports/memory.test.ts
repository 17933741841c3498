import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WirekitError } from '../errors.js';
import { createMemoryServer, memory } from './memory.js';
import type { LinkHandlers, LinkParams } from './types.js';

function handlers() {
  return {
    onOpen: vi.fn<LinkHandlers['onOpen']>(),
    onMessage: vi.fn<LinkHandlers['onMessage']>(),
    onInvalid: vi.fn<LinkHandlers['onInvalid']>(),
    onClose: vi.fn<LinkHandlers['onClose']>(),
  };
}

function params(h: LinkHandlers, extra: Partial<LinkParams> = {}): LinkParams {
  return { key: '/', url: 'memory://', auth: undefined, timeout: 1_000, handlers: h, ...extra };
}

/** Runs the transport's microtask hops. */
const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('memory transport', () => {
  it('opens on the next microtask and exchanges events both ways', async () => {
    const server = createMemoryServer();
    const got: unknown[] = [];
    server.onConnection((peer) => {
      peer.on('ping', (data, _meta, ack) => ack?.({ pong: data }));
      peer.onAny((event, data) => got.push([event, data]));
      peer.emit('hello', 1);
    });
    const h = handlers();
    const link = memory(server).connect(params(h));
    expect(h.onOpen).not.toHaveBeenCalled();
    await flush();
    expect(h.onOpen).toHaveBeenCalledTimes(1);
    expect(h.onMessage).toHaveBeenCalledWith('hello', 1, -1);
    const onAck = vi.fn();
    link.send('ping', 7, { cid: 'c1' }, onAck);
    await flush();
    expect(onAck).toHaveBeenCalledWith({ pong: 7 });
    expect(got).toEqual([['ping', 7]]);
  });

  it('forgets an ack callback: a reply after forget() reaches nothing, a second reply neither', async () => {
    const server = createMemoryServer();
    const acks: Array<(reply: unknown) => void> = [];
    server.onConnection((peer) => peer.onAny((_e, _d, _m, ack) => ack && acks.push(ack)));
    const link = memory(server).connect(params(handlers()));
    await flush();
    const forgotten = vi.fn();
    const kept = vi.fn();
    link.send('a', 1, { cid: 'c1' }, forgotten);
    link.send('b', 2, { cid: 'c2' }, kept);
    await flush();
    link.forget?.(forgotten);
    acks[0]?.('late');
    acks[1]?.('on time');
    acks[1]?.('twice');
    await flush();
    expect(forgotten).not.toHaveBeenCalled();
    expect(kept.mock.calls).toEqual([['on time']]);
  });

  it('reports a server close, but never calls onClose after the client closed', async () => {
    const server = createMemoryServer();
    const h = handlers();
    memory(server).connect(params(h));
    await flush();
    server.peers[0]?.close('bye');
    await flush();
    expect(h.onClose).toHaveBeenCalledWith(expect.any(WirekitError));
    expect(h.onClose.mock.calls[0]?.[0]).toMatchObject({ kind: 'server', message: 'bye' });

    const h2 = handlers();
    const link = memory(server).connect(params(h2));
    await flush();
    server.setAvailable(false); // the drop is on its way…
    link.close(); // …but the client closes first
    await flush();
    expect(h2.onClose).not.toHaveBeenCalled();
  });

  it('simulates latency with timers', async () => {
    const server = createMemoryServer({ latency: 50 });
    const h = handlers();
    memory(server).connect(params(h));
    await vi.advanceTimersByTimeAsync(49);
    expect(h.onOpen).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(h.onOpen).toHaveBeenCalledTimes(1);
  });

  it('rejects with unauthorized when authenticate says no', async () => {
    const server = createMemoryServer({ authenticate: (auth) => auth?.token === 'ok' });
    const h = handlers();
    memory(server).connect(params(h, { auth: { token: 'nope' } }));
    await flush();
    expect(h.onOpen).not.toHaveBeenCalled();
    expect(h.onClose.mock.calls[0]?.[0]).toMatchObject({ kind: 'unauthorized' });
    expect(server.peers).toHaveLength(0);
  });
});
