import type { StandardSchemaV1 } from '@standard-schema/spec';
import { WirekitError } from '../errors.js';
import { createClientId } from '../internal/clientId.js';
import { type Clock, systemClock, Timers } from '../internal/clock.js';
import { Disposers } from '../internal/disposers.js';
import { networkStatus } from '../internal/network.js';
import { payloadSize } from '../internal/size.js';
import { Subscribable } from '../internal/Subscribable.js';
import type { TransportLink } from '../transports/types.js';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { Heartbeat } from './heartbeat.js';
import { Outbox, type OutboxEntry } from './outbox.js';
import type {
  AckSendOptions,
  ConnectionOptions,
  ConnectionSnapshot,
  ConnectionState,
  Diagnostic,
  EventMap,
  OnOptions,
  SendOptions,
} from './types.js';

type Handler = (data: unknown) => void;
interface HandlerEntry {
  handler: Handler;
  schema: StandardSchemaV1 | undefined;
}
interface Pending {
  resolve(reply: unknown): void;
  reject(error: WirekitError): void;
  /** The callback the current link holds for the reply. */
  ack?: (reply: unknown) => void;
}

/**
 * One logical connection: a state machine that owns its transport links, reconnect policy,
 * heartbeat, outbox and timers. Created by the pool; one per key.
 *
 * @example
 * const lease = pool.acquire('/chat');
 * const off = lease.connection.on('message', (m) => console.log(m));
 * await lease.connection.send('chat:send', { text: 'hi' }, { ack: true });
 */
export class Connection<
  TIn extends EventMap = EventMap,
  TOut extends EventMap = EventMap,
> extends Subscribable<(snapshot: ConnectionSnapshot) => void> {
  readonly key: string;
  readonly #options: ConnectionOptions;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #outbox: Outbox;
  readonly #heartbeat: Heartbeat | undefined;
  readonly #handlers = new Map<string, Set<HandlerEntry>>();
  readonly #diagnostics = new Set<(d: Diagnostic) => void>();
  readonly #pending = new Map<string, Pending>();
  /** Client ids written on the current link (acked ones wait here for their ack). */
  readonly #written = new Set<string>();
  readonly #lifetime = new Disposers();

  #state: ConnectionState = 'idle';
  #link: TransportLink | null = null;
  #attemptSeq = 0;
  #attempt = 0;
  /**
   * Retries scheduled since the last session that stayed up for `backoff.minUptime`: the
   * backoff step (losing such a session is step 1).
   */
  #retries = 0;
  #nextRetryAt: number | null = null;
  #error: WirekitError | null = null;
  #rtt: number | null = null;
  #connectedAt: number | null = null;
  #stats = {
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    invalid: 0,
    dropped: 0,
    expired: 0,
  };
  #handlerCount = 0;
  #cancelRetry: (() => void) | undefined;
  #cancelConnectTimeout: (() => void) | undefined;
  #cancelExpiry: (() => void) | undefined;
  #expiryAt = Infinity;
  #snapshot: ConnectionSnapshot | undefined;
  #notifyQueued = false;

  constructor(options: ConnectionOptions) {
    super();
    this.key = options.key;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timers = new Timers(this.#clock);
    this.#outbox = new Outbox(options.outbox);
    if (options.heartbeat !== false && options.transport.canPing) {
      this.#heartbeat = new Heartbeat(options.heartbeat ?? {}, {
        timers: this.#timers,
        clock: this.#clock,
        ping: (onPong) => this.#link?.ping(onPong),
        onRtt: (ms) => {
          this.#rtt = ms;
          this.#changed(false);
        },
        onDead: () => this.#linkLost(new WirekitError('timeout', 'Heartbeat: no pong in time')),
      });
    }
  }

  protected override onListenersChange(): void {
    this.#snapshot = undefined; // `listeners` counts subscribers
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The current immutable snapshot (same object until something changes). */
  getSnapshot = (): ConnectionSnapshot => {
    this.#snapshot ??= Object.freeze({
      key: this.key,
      transport: this.#options.transport.name,
      state: this.#state,
      attempt: this.#attempt,
      nextRetryAt: this.#nextRetryAt,
      error: this.#error,
      rtt: this.#rtt,
      queued: this.#outbox.size,
      queuedBytes: this.#outbox.bytes,
      ...this.#stats,
      listeners: this.#handlerCount + this.#diagnostics.size + this.listeners.size,
      timers: this.#timers.size,
      connectedAt: this.#connectedAt,
    });
    return this.#snapshot;
  };

  /** Starts connecting. Does nothing when already open, closed, or inert (SSR). */
  open(): void {
    if (this.#state !== 'idle' || this.#options.inert) return;
    this.#lifetime.add(
      (this.#options.network ?? networkStatus).subscribe((online) => this.#onNetwork(online)),
    );
    void this.#connect();
  }

  /** Drops the current link or wait and connects now; the way out of `failed`. */
  reconnect(): void {
    if (this.#state === 'closed' || this.#options.inert) return;
    if (this.#state === 'idle') return this.open();
    this.#dropLink();
    this.#attempt = 0;
    this.#retries = 0;
    void this.#connect();
  }

  /** Closes for good: links, timers and listeners are released; pending acks reject. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#dropLink();
    this.#attemptSeq += 1;
    this.#setState('closed');
    const closed = new WirekitError('closed', 'Connection closed');
    for (const entry of this.#outbox.clear()) this.#pending.get(entry.cid)?.reject(closed);
    this.#pending.clear();
    this.#timers.clearAll();
    this.#lifetime.drain();
    // Emptied, not just forgotten: a dispatch in progress checks its set before each handler.
    for (const set of this.#handlers.values()) set.clear();
    this.#handlers.clear();
    this.#diagnostics.clear();
    this.#handlerCount = 0;
    this.#changed(true);
    this.listeners.clear();
    this.#snapshot = undefined; // subscribers are gone too
  }

  /**
   * Listens to an inbound event; returns the disposer. With a `schema` (or a connection-level
   * one for this event) invalid payloads are dropped, counted and reported, never delivered.
   */
  on<K extends keyof TIn & string>(
    event: K,
    handler: (data: TIn[K]) => void,
    options?: OnOptions<TIn[K]>,
  ): () => void {
    if (this.#state === 'closed') return () => {};
    let set = this.#handlers.get(event);
    if (!set) this.#handlers.set(event, (set = new Set()));
    const entry: HandlerEntry = { handler: handler as Handler, schema: options?.schema };
    set.add(entry);
    this.#handlerCount += 1;
    this.#changed(false);
    return () => {
      const current = this.#handlers.get(event);
      if (!current?.delete(entry)) return;
      if (current.size === 0) this.#handlers.delete(event);
      this.#handlerCount -= 1;
      this.#changed(false);
    };
  }

  /** Reports drops, expiries, invalid payloads and handler errors; returns the disposer. */
  onDiagnostic(listener: (diagnostic: Diagnostic) => void): () => void {
    if (this.#state === 'closed') return () => {};
    this.#diagnostics.add(listener);
    this.#changed(false);
    return () => {
      if (this.#diagnostics.delete(listener)) this.#changed(false);
    };
  }

  /**
   * Sends an event. Without `ack`, returns the message's client id; queued while not connected
   * (bounded; see the outbox options). With `{ ack: true }`, returns a promise of the server's
   * reply; the message is resent after reconnects (same client id) until acked or timed out.
   */
  // The acked overload first: an options object that is not a literal (no excess-property
  // check) but carries `cid` would otherwise match `SendOptions` and be typed `string`.
  send<K extends keyof TOut & string, R = unknown>(
    event: K,
    data: TOut[K],
    options: AckSendOptions,
  ): Promise<R>;
  send<K extends keyof TOut & string>(event: K, data: TOut[K], options?: SendOptions): string;
  send(
    event: string,
    data: unknown,
    options?: SendOptions | AckSendOptions,
  ): string | Promise<unknown> {
    const ack = !!options && 'ack' in options && options.ack === true;
    const fail = (error: WirekitError) => {
      if (ack) return Promise.reject(error);
      throw error;
    };
    if (!this.#options.transport.canSend) {
      return fail(
        new WirekitError(
          'unsupported',
          `The ${this.#options.transport.name} transport is receive-only`,
        ),
      );
    }
    if (this.#state === 'closed') return fail(new WirekitError('closed', 'Connection closed'));
    // Refused here: queued, it would throw in the transport on every flush and block the queue.
    const bytes = payloadSize(data);
    if (bytes < 0) {
      return fail(new WirekitError('invalid', `"${event}": the payload cannot be serialized`));
    }

    if (!ack && (options as SendOptions | undefined)?.volatile) {
      if (this.#state === 'connected' && this.#link) {
        let sent: boolean;
        try {
          sent = this.#link.sendVolatile(event, data);
        } catch (cause) {
          throw refused(event, cause);
        }
        // Dropped (backpressure, a busy or closing link): not counted as out.
        if (sent) this.#countOut(bytes);
      }
      return '';
    }

    const cid = options?.cid ?? createClientId();
    // Two held entries under one id would overwrite each other in the outbox.
    if (this.#outbox.has(cid)) {
      return fail(new WirekitError('invalid', `"${event}": client id ${cid} is already queued`));
    }
    const now = this.#clock.now();
    const lifetime = ack
      ? ((options as AckSendOptions).timeout ?? this.#options.ackTimeout ?? 30_000)
      : ((options as SendOptions | undefined)?.ttl ?? Infinity);
    const entry: OutboxEntry = {
      cid,
      event,
      data,
      bytes,
      enqueuedAt: now,
      expiresAt: now + lifetime,
      ack,
    };

    // Fast path: connected and nothing queued ahead, a fire-and-forget needs no outbox.
    if (
      !ack &&
      this.#state === 'connected' &&
      this.#link &&
      this.#outbox.size === this.#written.size
    ) {
      const error = this.#write(entry);
      if (error) throw error;
      // `false`: the link is closing and wrote nothing; queued below, for the next link.
      if (error === undefined) return entry.cid;
    }

    const result = this.#outbox.push(entry);
    for (const evicted of result.evicted) this.#drop(evicted);
    // A diagnostic listener told of an eviction may have closed the connection just now.
    if ((this.#state as ConnectionState) === 'closed') {
      return fail(new WirekitError('closed', 'Connection closed'));
    }
    if (!result.accepted) {
      if (this.#outbox.options.overflow === 'reject') {
        this.#stats.dropped += 1;
        this.#changed(false);
        return fail(new WirekitError('overflow', `Outbox full: "${event}" refused`));
      }
      this.#drop(entry);
      return ack
        ? Promise.reject(new WirekitError('overflow', `Outbox full: "${event}" dropped`))
        : entry.cid;
    }

    const promise = ack
      ? new Promise<unknown>((resolve, reject) => this.#pending.set(entry.cid, { resolve, reject }))
      : undefined;
    this.#scheduleExpiry(entry.expiresAt);
    if (this.#state === 'connected' && this.#link) {
      const error = this.#write(entry);
      if (error && !ack) throw error; // an acked one's promise has rejected with it
    }
    this.#changed(false);
    return promise ?? entry.cid;
  }

  async #connect(): Promise<void> {
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    this.#nextRetryAt = null;
    const seq = ++this.#attemptSeq;
    this.#attempt += 1;
    this.#setState(
      this.#state === 'idle' || this.#state === 'connecting' ? 'connecting' : 'reconnecting',
    );
    this.#changed(true);
    // A subscriber may have called close() or reconnect() just now: this attempt is over.
    if (seq !== this.#attemptSeq) return;

    // The deadline covers the auth callback too: a hung token refresh must not hang the attempt.
    const timeout = this.#options.connectTimeout ?? 10_000;
    let settled = false;
    this.#cancelConnectTimeout?.();
    this.#cancelConnectTimeout = this.#timers.set(() => {
      if (seq !== this.#attemptSeq || settled) return;
      this.#linkLost(new WirekitError('timeout', `No connection within ${timeout} ms`));
    }, timeout);

    let auth: Record<string, unknown> | undefined;
    if (this.#options.auth) {
      try {
        const payload = await this.#options.auth();
        if (seq !== this.#attemptSeq) return;
        if (payload === null || payload === undefined) {
          return this.#linkLost(
            new WirekitError('unauthorized', 'No credentials: the auth callback returned nothing'),
          );
        }
        auth = typeof payload === 'string' ? { token: payload } : payload;
        // Checked here: a transport would throw encoding it inside a socket callback (uncaught).
        JSON.stringify(auth);
      } catch (cause) {
        if (seq !== this.#attemptSeq) return;
        return this.#linkLost(new WirekitError('network', 'The auth callback failed', { cause }));
      }
    }

    let returned = false;
    let openedEarly = false;
    let link: TransportLink;
    try {
      link = this.#options.transport.connect({
        key: this.key,
        url: this.#options.url,
        auth,
        timeout,
        handlers: {
          onOpen: () => {
            if (seq !== this.#attemptSeq || settled) return;
            settled = true;
            // Opened inside connect(): finish once the link is ours, so the flush can write.
            if (returned) this.#opened();
            else openedEarly = true;
          },
          onMessage: (event, data, bytes) => {
            if (seq === this.#attemptSeq) this.#receive(event, data, bytes);
          },
          onInvalid: (reason) => {
            if (seq === this.#attemptSeq) this.#invalid('', [{ message: reason }]);
          },
          onClose: (error) => {
            if (seq !== this.#attemptSeq) return;
            settled = true;
            this.#linkLost(error ?? new WirekitError('network', 'Connection closed by the peer'));
          },
        },
      });
    } catch (cause) {
      // A transport that throws (bad URL, missing WebSocket) fails the attempt, not the app.
      if (seq !== this.#attemptSeq) return;
      return this.#linkLost(
        new WirekitError('network', 'The transport failed to connect', { cause }),
      );
    }
    returned = true;
    if (seq !== this.#attemptSeq) {
      link.close();
      return;
    }
    this.#link = link;
    if (openedEarly) this.#opened();
  }

  #opened(): void {
    this.#cancelConnectTimeout?.();
    this.#attempt = 0;
    this.#error = null;
    this.#connectedAt = this.#clock.now();
    this.#setState('connected');
    this.#heartbeat?.start();
    this.#flush();
    this.#changed(true);
  }

  #flush(): void {
    for (const entry of this.#outbox.entries()) {
      if (this.#state !== 'connected' || !this.#link) return;
      if (!this.#written.has(entry.cid)) this.#write(entry);
    }
  }

  /**
   * Writes `entry` on the link. A transport that throws refuses it: dropped, and returned.
   * `false` when the link could not write (closing): the entry is not counted, and stays queued.
   */
  #write(entry: OutboxEntry): WirekitError | false | undefined {
    const link = this.#link;
    if (!link) return;
    const onAck = entry.ack
      ? (reply: unknown) => {
          if (!this.#outbox.remove(entry.cid)) return;
          this.#unscheduleExpiry(entry);
          this.#settle(entry.cid)?.resolve(reply);
          this.#changed(false);
        }
      : undefined;
    // Marked before sending: a local transport may ack synchronously inside send().
    if (entry.ack) {
      this.#written.add(entry.cid);
      this.#pending.get(entry.cid)!.ack = onAck;
    }
    let bytes: number | false;
    try {
      bytes = link.send(entry.event, entry.data, { cid: entry.cid }, onAck);
    } catch (cause) {
      // E.g. a name Socket.IO reserves. Kept, it would throw on every flush and block the queue.
      const error = refused(entry.event, cause);
      this.#outbox.remove(entry.cid);
      this.#drop(entry, error);
      return error;
    }
    if (bytes === false) return bytes;
    this.#countOut(bytes >= 0 ? bytes : entry.bytes);
    if (!entry.ack && this.#outbox.remove(entry.cid)) this.#unscheduleExpiry(entry);
    return undefined;
  }

  #receive(event: string, data: unknown, bytes: number): void {
    this.#stats.messagesIn += 1;
    this.#stats.bytesIn += bytes >= 0 ? bytes : Math.max(0, payloadSize(data));
    this.#changed(false);
    const schemas = this.#options.schemas;
    // Own keys only: `schemas.constructor` is Object, not a schema for an event "constructor".
    const shared = schemas && Object.hasOwn(schemas, event) ? schemas[event] : undefined;
    if (!shared) return this.#dispatch(event, data);
    this.#validate(event, shared, data, (value) => this.#dispatch(event, value));
  }

  /** Runs a Standard Schema validator; invalid input (or a throwing validator) is reported. */
  #validate(
    event: string,
    schema: StandardSchemaV1,
    data: unknown,
    deliver: (value: unknown) => void,
  ): void {
    const settle = (result: StandardSchemaV1.Result<unknown>) => {
      if (this.#state === 'closed') return; // an async validator may finish after close()
      if (result.issues) this.#invalid(event, result.issues);
      else deliver(result.value);
    };
    const fail = (error: unknown) =>
      settle({ issues: [{ message: `The validator threw: ${String(error)}` }] });
    let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
    try {
      result = schema['~standard'].validate(data);
    } catch (error) {
      return fail(error);
    }
    if (result instanceof Promise) void result.then(settle, fail);
    else settle(result);
  }

  #dispatch(event: string, data: unknown): void {
    const set = this.#handlers.get(event);
    if (!set) return;
    // The hot path (one handler, no schema) allocates nothing per message.
    if (set.size === 1) return this.#deliver(event, set, set.values().next().value!, data);
    for (const entry of [...set]) this.#deliver(event, set, entry, data);
  }

  #deliver(event: string, set: Set<HandlerEntry>, entry: HandlerEntry, data: unknown): void {
    // A handler disposed meanwhile (by another handler, or during async validation) is skipped.
    if (!entry.schema) {
      if (set.has(entry)) this.#call(event, entry.handler, data);
      return;
    }
    this.#validate(event, entry.schema, data, (value) => {
      if (set.has(entry)) this.#call(event, entry.handler, value);
    });
  }

  #call(event: string, handler: Handler, data: unknown): void {
    try {
      handler(data);
    } catch (error) {
      // A broken handler must not break delivery to the others or the link.
      if (this.#diagnostics.size === 0)
        console.error(`[wirekit] handler for "${event}" threw`, error);
      this.#report({ type: 'handler-error', event, error });
    }
  }

  #invalid(event: string, issues: readonly StandardSchemaV1.Issue[]): void {
    this.#stats.invalid += 1;
    this.#changed(false);
    this.#report({ type: 'invalid', event, issues });
  }

  /** `entry` left the outbox unsent: by overflow, or refused by the transport (`invalid`). */
  #drop(
    entry: OutboxEntry,
    error = new WirekitError('overflow', `Outbox full: "${entry.event}" dropped`),
  ): void {
    this.#stats.dropped += 1;
    this.#settle(entry.cid)?.reject(error);
    const reason = error.kind === 'overflow' ? 'overflow' : 'invalid';
    this.#report({ type: 'dropped', reason, message: entry });
    this.#unscheduleExpiry(entry);
    this.#changed(false);
  }

  /**
   * `cid` left the outbox: returns its pending promise (to settle). The link forgets its ack
   * callback, so a reply after a timeout or eviction finds nothing.
   */
  #settle(cid: string): Pending | undefined {
    this.#written.delete(cid);
    const pending = this.#pending.get(cid);
    this.#pending.delete(cid);
    if (pending?.ack) this.#link?.forget?.(pending.ack);
    return pending;
  }

  #report(diagnostic: Diagnostic): void {
    for (const listener of [...this.#diagnostics]) {
      try {
        listener(diagnostic);
      } catch (error) {
        console.error('[wirekit] diagnostic listener threw', error);
      }
    }
  }

  #countOut(bytes: number): void {
    this.#stats.messagesOut += 1;
    this.#stats.bytesOut += bytes;
    this.#changed(false);
  }

  #scheduleExpiry(at: number): void {
    // `!(<)`: Infinity and NaN (a timeout that is not a number) are no deadline, not a 0 ms loop.
    if (!(at < this.#expiryAt)) return;
    this.#cancelExpiry?.();
    this.#expiryAt = at;
    this.#cancelExpiry = this.#timers.set(() => {
      this.#expiryAt = Infinity;
      this.#cancelExpiry = undefined;
      for (const entry of this.#outbox.expire(this.#clock.now())) {
        this.#stats.expired += 1;
        this.#settle(entry.cid)?.reject(
          new WirekitError('timeout', `No ack for "${entry.event}" in time`),
        );
        this.#report({ type: 'expired', message: entry });
      }
      this.#scheduleExpiry(this.#outbox.nextExpiry());
      this.#changed(false);
    }, at - this.#clock.now());
  }

  /** `entry` left the outbox: if the expiry timer was set for it, move it to the next deadline. */
  #unscheduleExpiry(entry: OutboxEntry): void {
    if (entry.expiresAt !== this.#expiryAt) return;
    this.#cancelExpiry?.();
    this.#cancelExpiry = undefined;
    this.#expiryAt = Infinity;
    this.#scheduleExpiry(this.#outbox.nextExpiry());
  }

  /** The current link died (closed, timed out, heartbeat): decide whether and when to retry. */
  #linkLost(error: WirekitError): void {
    this.#dropLink(error);
    this.#attemptFailed(error);
  }

  #attemptFailed(error: WirekitError): void {
    if (this.#state === 'closed') return;
    this.#error = error;
    // A session that dies at once (a server that accepts, then closes) keeps climbing the
    // backoff instead of starting over: no reconnect storm against it.
    const uptime = this.#connectedAt === null ? 0 : this.#clock.now() - this.#connectedAt;
    if (uptime >= (this.#options.backoff?.minUptime ?? DEFAULT_BACKOFF.minUptime)) {
      this.#retries = 0;
    }
    this.#connectedAt = null;
    const max = this.#options.maxAttempts ?? Infinity;
    // No retry storm on bad credentials: wait for reconnect() or a new token.
    if (error.kind === 'unauthorized' || this.#attempt >= max) {
      this.#setState('failed');
      this.#changed(true);
      return;
    }
    this.#retries += 1;
    const delay = backoffDelay(this.#retries, this.#options.backoff, this.#options.random);
    this.#nextRetryAt = this.#clock.now() + delay;
    this.#setState('reconnecting');
    this.#cancelRetry = this.#timers.set(() => {
      this.#cancelRetry = undefined;
      void this.#connect();
    }, delay);
    this.#changed(true);
  }

  #dropLink(error?: WirekitError): void {
    this.#attemptSeq += 1;
    this.#cancelConnectTimeout?.();
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    this.#nextRetryAt = null;
    this.#heartbeat?.stop();
    this.#written.clear();
    const link = this.#link;
    this.#link = null;
    link?.close(error);
  }

  #onNetwork(online: boolean): void {
    if (online && this.#state === 'reconnecting' && this.#cancelRetry) {
      // The browser says we're back: don't sit out the backoff delay.
      void this.#connect();
    } else if (!online && this.#state === 'connected') {
      this.#heartbeat?.checkNow();
    }
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#snapshot = undefined;
  }

  /** Marks the snapshot stale and notifies: at once for state changes, coalesced for counters. */
  #changed(urgent: boolean): void {
    this.#snapshot = undefined;
    if (this.listeners.size === 0) return;
    if (urgent) {
      this.#notify();
      return;
    }
    if (this.#notifyQueued) return;
    this.#notifyQueued = true;
    queueMicrotask(() => {
      this.#notifyQueued = false;
      this.#notify();
    });
  }

  #notify(): void {
    const snapshot = this.getSnapshot();
    for (const listener of [...this.listeners]) {
      // A broken subscriber (UI code) must not abort a state transition half-way.
      try {
        listener(snapshot);
      } catch (error) {
        console.error('[wirekit] connection subscriber threw', error);
      }
    }
  }
}

/** The error for a message the transport threw on (it cannot write it, now or later). */
function refused(event: string, cause: unknown): WirekitError {
  return new WirekitError('invalid', `"${event}": the transport refused to send it`, { cause });
}
