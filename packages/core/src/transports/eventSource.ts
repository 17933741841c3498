import { WirekitError } from '../errors.js';
import type { LinkParams, Transport, TransportLink } from './types.js';

interface SseEvent {
  data: string;
  lastEventId?: string;
}
interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: SseEvent) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  addEventListener(type: string, listener: (ev: SseEvent) => void): void;
  removeEventListener(type: string, listener: (ev: SseEvent) => void): void;
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
  /**
   * Query parameter that tells the server the last event `id:` received when wirekit
   * reconnects, so it can send what was missed. EventSource sends its `Last-Event-ID` header
   * only on its own retries, which wirekit's backoff replaces. Added only after the server has
   * sent an `id:`; `false` leaves the URL alone. @default 'lastEventId'
   */
  lastEventIdParam?: string | false;
}

/**
 * Server-Sent Events: receive-only (sends reject with `unsupported`). The browser's own
 * EventSource retry is replaced by wirekit's backoff (so a server's `retry:` field is not used);
 * reconnects resume from the last event id (see `lastEventIdParam`). Credentials travel in cookies, because
 * EventSource can set no header and tokens never go in the URL.
 */
export function eventSource(options: EventSourceTransportOptions = {}): Transport {
  // Per stream URL, outliving each link: the next attempt resumes from here.
  const lastIds = new Map<string, string>();
  const param = options.lastEventIdParam ?? 'lastEventId';
  return {
    name: 'sse',
    canSend: false,
    canPing: false,
    connect({ key, url, handlers }: LinkParams): TransportLink {
      const Impl =
        options.EventSource ??
        (globalThis.EventSource as unknown as EventSourceConstructor | undefined);
      const noop: TransportLink = {
        send: () => -1,
        sendVolatile: () => false,
        ping() {},
        close() {},
      };
      if (!Impl) {
        queueMicrotask(() =>
          handlers.onClose(new WirekitError('unsupported', 'No EventSource here; pass one')),
        );
        return noop;
      }
      const target = new URL(key, url.endsWith('/') || key.startsWith('/') ? url : `${url}/`);
      const stream = target.href;
      const lastId = lastIds.get(stream);
      if (param && lastId) target.searchParams.set(param, lastId);
      const es = new Impl(target.href, { withCredentials: options.withCredentials ?? false });
      let done = false;
      const named = (options.events ?? []).map((name) => {
        const listener = (ev: SseEvent) => deliver(name, ev, false);
        es.addEventListener(name, listener);
        return () => es.removeEventListener(name, listener);
      });
      const deliver = (name: string, { data: raw, lastEventId }: SseEvent, envelope: boolean) => {
        // Every event carries the stream's current id (empty after an `id:` that reset it).
        if (lastEventId !== undefined) lastIds.set(stream, lastEventId);
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
      es.onmessage = (ev) => deliver('message', ev, true);
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
