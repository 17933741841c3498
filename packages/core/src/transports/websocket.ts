import { WirekitError } from '../errors.js';
import type { LinkParams, Transport, TransportLink } from './types.js';

/** The constructor shape wirekit needs; the browser's `WebSocket` and the `ws` package fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

export interface WebSocketTransportOptions {
  /** A WebSocket implementation (e.g. `ws` in Node 20). @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  protocols?: string | string[];
  /**
   * Wait for the server's `{"t":"ready"}` after sending `{"t":"hello","auth":…}` before the
   * session counts as open. Turn off for servers that don't speak the wirekit envelope
   * handshake. @default true
   */
  handshake?: boolean;
}

/**
 * Envelope on the wire (JSON text frames):
 * client → server: `{t:'hello',auth}`, `{t:'msg',e,d,cid?,ack?}`, `{t:'ping',id}`
 * server → client: `{t:'ready'}`, `{t:'msg',e,d}`, `{t:'ack',id,d}`, `{t:'pong',id}`
 * Close code 4403, and 4401 during the handshake, mean unauthorized (no retry); 4401 after
 * `ready` means the token expired (reconnects through the auth callback); other 4xxx are
 * server errors.
 */
export type WireFrame =
  | { t: 'hello'; auth?: Record<string, unknown> }
  | { t: 'ready' }
  | { t: 'msg'; e: string; d?: unknown; cid?: string; ack?: number }
  | { t: 'ack'; id: number; d?: unknown }
  | { t: 'ping'; id: number }
  | { t: 'pong'; id: number };

const OPEN = 1;

/** Native WebSocket with a small JSON envelope, app-level ping/pong and acks. */
export function websocket(options: WebSocketTransportOptions = {}): Transport {
  return {
    name: 'websocket',
    canSend: true,
    canPing: true,
    connect({ key, url, auth, handlers }: LinkParams): TransportLink {
      const Impl =
        options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor | undefined);
      const target = new URL(key, url.endsWith('/') || key.startsWith('/') ? url : `${url}/`);
      target.protocol = target.protocol === 'https:' || target.protocol === 'wss:' ? 'wss:' : 'ws:';
      const handshake = options.handshake ?? true;
      const acks = new Map<number, (reply: unknown) => void>();
      let seq = 0;
      let done = false;
      let ready = false;
      let ws: WebSocketLike;

      const finish = (error: WirekitError) => {
        if (done) return;
        done = true;
        cleanup();
        handlers.onClose(error);
      };
      const cleanup = () => {
        acks.clear();
        ws.onopen = ws.onmessage = ws.onclose = null;
        // Not null: closing a CONNECTING `ws` socket emits 'error', which Node throws when
        // nobody listens (the process crashes). Browsers don't mind either way.
        ws.onerror = () => {};
        if (ws.readyState <= OPEN) ws.close(1000, 'client closed');
      };
      const open = () => {
        ready = true;
        handlers.onOpen();
      };
      const write = (frame: WireFrame): number | false => {
        // CLOSING included: the socket would drop the frame.
        if (done || ws.readyState !== OPEN) return false;
        const text = JSON.stringify(frame);
        ws.send(text);
        return text.length;
      };

      if (!Impl) {
        queueMicrotask(() => {
          done = true;
          handlers.onClose(
            new WirekitError('unsupported', 'No WebSocket implementation here; pass one'),
          );
        });
        return { send: () => -1, sendVolatile: () => false, ping() {}, close() {} };
      }
      try {
        ws = new Impl(target.href, options.protocols);
      } catch (cause) {
        const error = new WirekitError('network', `Invalid WebSocket URL ${target.href}`, {
          cause,
        });
        queueMicrotask(() => handlers.onClose(error));
        return { send: () => -1, sendVolatile: () => false, ping() {}, close() {} };
      }

      ws.onopen = () => {
        if (!handshake) return open();
        write({ t: 'hello', auth });
      };
      ws.onmessage = (ev) => {
        if (typeof ev.data !== 'string') return handlers.onInvalid('binary frame');
        let frame: WireFrame;
        try {
          frame = JSON.parse(ev.data) as WireFrame;
        } catch {
          return handlers.onInvalid('malformed JSON frame');
        }
        switch (frame?.t) {
          case 'ready':
            if (!ready) open();
            return;
          case 'msg':
            if (typeof frame.e !== 'string')
              return handlers.onInvalid('message without event name');
            return handlers.onMessage(frame.e, frame.d, ev.data.length);
          case 'ack':
          case 'pong': {
            const callback = acks.get(frame.id);
            acks.delete(frame.id);
            callback?.(frame.t === 'ack' ? frame.d : undefined);
            return;
          }
          default:
            return handlers.onInvalid('unknown frame');
        }
      };
      ws.onerror = () => {
        // Browsers give no detail; the close event that follows carries the code.
      };
      ws.onclose = (ev) => finish(mapClose(ev.code, ev.reason, ready));

      return {
        send(event, data, meta, onAck) {
          const frame: WireFrame = { t: 'msg', e: event, d: data };
          if (meta) frame.cid = meta.cid;
          if (onAck) {
            frame.ack = ++seq;
            acks.set(frame.ack, onAck);
          }
          return write(frame);
        },
        forget(onAck) {
          for (const [id, callback] of acks) if (callback === onAck) acks.delete(id);
        },
        sendVolatile(event, data) {
          // A WebSocket has no volatile mode; skip when its buffer is backed up instead.
          const buffered = (ws as unknown as { bufferedAmount?: number }).bufferedAmount ?? 0;
          return buffered < 64 * 1024 && write({ t: 'msg', e: event, d: data }) !== false;
        },
        ping(onPong) {
          const id = ++seq;
          acks.set(id, () => onPong());
          write({ t: 'ping', id });
        },
        close() {
          if (done) return;
          done = true;
          cleanup();
        },
      };
    },
  };
}

function mapClose(code: number, reason: string, ready: boolean): WirekitError {
  // 4401 after `ready` ends a session whose token expired: reconnecting asks the auth callback
  // for a fresh one (a token it cannot renew then fails the handshake, with no retries).
  if (code === 4403 || (code === 4401 && !ready)) {
    return new WirekitError('unauthorized', reason || 'The server rejected the credentials', {
      data: code,
    });
  }
  if (code >= 4000 && code < 5000)
    return new WirekitError('server', reason || `Closed by the server (${code})`, { data: code });
  if (code === 1000 || code === 1001)
    return new WirekitError('server', reason || 'The server closed the connection', { data: code });
  return new WirekitError('network', reason || `Connection lost (${code})`, { data: code });
}
