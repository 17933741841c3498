import { describe, expect, it, vi } from 'vitest';
import { WirekitError } from '../errors.js';
import { lazyTransport } from './lazy.js';
import type { LinkHandlers, LinkParams, Transport, TransportLink } from './types.js';

const meta = { name: 'fake', canSend: true, canPing: true };

function handlers(): LinkHandlers & { closed: Array<WirekitError | null> } {
  const closed: Array<WirekitError | null> = [];
  return { closed, onOpen() {}, onMessage() {}, onInvalid() {}, onClose: (e) => closed.push(e) };
}

function params(h = handlers()): LinkParams {
  return { key: '/', url: 'http://x', auth: undefined, timeout: 1000, handlers: h };
}

function fakeTransport() {
  const links: Array<
    TransportLink & {
      sent: unknown[];
      closed: boolean;
      forgotten: unknown[];
      closedWith: WirekitError | undefined;
    }
  > = [];
  const transport: Transport = {
    ...meta,
    connect() {
      const link = {
        sent: [] as unknown[],
        closed: false,
        forgotten: [] as unknown[],
        closedWith: undefined as WirekitError | undefined,
        forget(onAck: (reply: unknown) => void) {
          link.forgotten.push(onAck);
        },
        send(event: string, data: unknown) {
          link.sent.push([event, data]);
          return 7;
        },
        sendVolatile: () => true,
        ping(onPong: () => void) {
          onPong();
        },
        close(error?: WirekitError) {
          link.closed = true;
          link.closedWith = error;
        },
      };
      links.push(link);
      return link;
    },
  };
  return { transport, links };
}

describe('lazyTransport', () => {
  it('loads once, on the first connect, and delegates to the real link', async () => {
    const { transport, links } = fakeTransport();
    const load = vi.fn(async () => transport);
    const lazy = lazyTransport(meta, load);
    expect(load).not.toHaveBeenCalled();
    const a = lazy.connect(params());
    expect(a.send('e', 1, undefined)).toBe(false); // not loaded yet: nothing written
    await vi.waitFor(() => expect(links).toHaveLength(1));
    expect(a.send('e', 2, undefined)).toBe(7);
    const pong = vi.fn();
    a.ping(pong);
    expect(pong).toHaveBeenCalledOnce();
    const onAck = () => {};
    a.forget?.(onAck);
    expect(links[0]!.forgotten).toEqual([onAck]);
    lazy.connect(params());
    await vi.waitFor(() => expect(links).toHaveLength(2));
    expect(load).toHaveBeenCalledOnce();
    expect(links[0]!.sent).toEqual([['e', 2]]);
    const why = new WirekitError('timeout', 'no pong');
    a.close(why);
    expect(links[0]).toMatchObject({ closed: true, closedWith: why });
  });

  it('never opens a link that was closed while loading', async () => {
    const { transport, links } = fakeTransport();
    let release!: (t: Transport) => void;
    const lazy = lazyTransport(meta, () => new Promise<Transport>((r) => (release = r)));
    const link = lazy.connect(params());
    link.close();
    release(transport);
    await Promise.resolve();
    await Promise.resolve();
    expect(links).toHaveLength(0);
  });

  it('reports a failed load as an unsupported close, and retries the load next time', async () => {
    const { transport, links } = fakeTransport();
    const load = vi.fn<() => Promise<Transport>>().mockRejectedValueOnce(new Error('chunk 404'));
    load.mockResolvedValue(transport);
    const lazy = lazyTransport(meta, load);
    const h = handlers();
    lazy.connect(params(h));
    await vi.waitFor(() => expect(h.closed).toHaveLength(1));
    expect(h.closed[0]?.kind).toBe('unsupported');
    lazy.connect(params());
    await vi.waitFor(() => expect(links).toHaveLength(1));
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('reports a transport that throws on connect as a network close, like a loaded one would', async () => {
    // e.g. socketio() given a URL it cannot parse (`new URL` throws).
    const broken: Transport = {
      ...meta,
      connect() {
        throw new TypeError('Invalid URL');
      },
    };
    const lazy = lazyTransport(meta, async () => broken);
    const h = handlers();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const link = lazy.connect(params(h));
      await vi.waitFor(() => expect(h.closed.length + unhandled.length).toBeGreaterThan(0));
      expect(unhandled).toEqual([]);
      expect(h.closed).toHaveLength(1);
      expect(h.closed[0]?.kind).toBe('network');
      expect((h.closed[0]?.cause as Error).message).toBe('Invalid URL');
      link.close(); // harmless
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
