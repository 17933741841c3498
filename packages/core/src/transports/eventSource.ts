import { WirekitError } from '../errors.js';
import type { LinkParams, Transport, TransportLink } from './types.js';

interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: string; type?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  addEventListener(type: string, listener: (ev: { data: string }) => void): void;
  removeEventListener(type: string, listener: (ev: { data: string }) => void): void;
  close(): void;
}
type EventSourceConstructor = new (
  url: string,
  init?: { withCredentials?: boolean },
) => EventSourceLike;

export interface EventSourceTransportOptions {
  /** An EventSource implementation. @default globalThis.EventSource */
  EventSource?: EventSourceConstructor;
  /** Send cookies cross-origin (SSE cannot carry an auth header; use a cookie). @default false */
  withCredentials?: boolean;
  /**
   * Named SSE events to listen to; each arrives as that event with its JSON `data`. Unnamed
   * `message` events carry an envelope `{"e": event, "d": data}`.
   */
  events?: string[];
}

/**
 * Server-Sent Events: receive-only (sends reject with `unsupported`). The browser's own
 * EventSource retry is replaced by wirekit's backoff. Credentials travel in cookies, because
 * EventSource can set no header and tokens never go in the URL.
 */
export function eventSource(options: EventSourceTransportOptions = {}): Transport {
  return {
    name: 'sse',
    canSend: false,
    canPing: false,
    connect({ key, url, handlers }: LinkParams): TransportLink {
      const Impl =
        options.EventSource ??
        (globalThis.EventSource as unknown as EventSourceConstructor | undefined);
      const noop: TransportLink = { send: () => -1, sendVolatile() {}, ping() {}, close() {} };
      if (!Impl) {
        queueMicrotask(() =>
          handlers.onClose(new WirekitError('unsupported', 'No EventSource here; pass one')),
        );
        return noop;
      }
      const target = new URL(key, url.endsWith('/') || key.startsWith('/') ? url : `${url}/`);
      const es = new Impl(target.href, { withCredentials: options.withCredentials ?? false });
      let done = false;
      const named = (options.events ?? []).map((name) => {
        const listener = (ev: { data: string }) => deliver(name, ev.data, false);
        es.addEventListener(name, listener);
        return () => es.removeEventListener(name, listener);
      });
      const deliver = (name: string, raw: string, envelope: boolean) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          return handlers.onInvalid('malformed JSON in SSE data');
        }
        if (!envelope) return handlers.onMessage(name, parsed, raw.length);
        const env = parsed as { e?: unknown; d?: unknown } | null;
        if (!env || typeof env.e !== 'string')
          return handlers.onInvalid('SSE message without event name');
        handlers.onMessage(env.e, env.d, raw.length);
      };
      const cleanup = () => {
        es.onopen = es.onmessage = es.onerror = null;
        for (const off of named) off();
        es.close();
      };
      es.onopen = () => handlers.onOpen();
      es.onmessage = (ev) => deliver('message', ev.data, true);
      es.onerror = () => {
        if (done) return;
        done = true;
        cleanup();
        handlers.onClose(new WirekitError('network', 'Event stream failed or ended'));
      };
      return {
        ...noop,
        close() {
          if (done) return;
          done = true;
          cleanup();
        },
      };
    },
  };
}
