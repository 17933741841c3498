import { BROWSER, DEV } from 'esm-env';
import { Connection } from '../connection/Connection.js';
import type {
  AuthCallback,
  ConnectionOptions,
  ConnectionSnapshot,
  EventMap,
} from '../connection/types.js';
import { WirekitError } from '../errors.js';
import { type Clock, systemClock, Timers } from '../internal/clock.js';
import { Subscribable } from '../internal/Subscribable.js';
import { lazyTransport } from '../transports/lazy.js';
import type { Transport } from '../transports/types.js';

export interface PoolOptions extends Pick<
  ConnectionOptions,
  | 'connectTimeout'
  | 'backoff'
  | 'maxAttempts'
  | 'heartbeat'
  | 'outbox'
  | 'ackTimeout'
  | 'schemas'
  | 'random'
  | 'network'
> {
  /**
   * Base URL: the origin for Socket.IO, or an absolute URL that keys resolve against for the
   * path-based transports. @default `location.origin` in the browser
   */
  url?: string;
  /** @default socketio() */
  transport?: Transport;
  /** Called before every connect attempt; its result goes in the handshake. */
  auth?: AuthCallback;
  /** Ms a connection stays open after its last lease is released. @default 5000 */
  idleTimeout?: number;
  /** A dev warning fires when more connections than this are open. @default 8 */
  maxConnections?: number;
  /**
   * Open network connections outside the browser (Node clients, tests). Off by default so
   * SSR never opens a socket. Local transports (memory) always connect. @default false
   */
  connectOnServer?: boolean;
  clock?: Clock;
}

/** A counted claim on a connection. Release it when done; releasing twice is harmless. */
export interface Lease<TIn extends EventMap = EventMap, TOut extends EventMap = EventMap> {
  readonly key: string;
  readonly connection: Connection<TIn, TOut>;
  readonly released: boolean;
  release(): void;
}

export interface PoolConnectionSnapshot extends ConnectionSnapshot {
  /** Live leases on this connection. */
  readonly refCount: number;
  /** Epoch ms since the connection has had no lease, or `null`. */
  readonly idleSince: number | null;
}

export interface PoolSnapshot {
  readonly connections: readonly PoolConnectionSnapshot[];
  readonly leases: number;
  /** Live listeners across connections (handlers + subscribers). */
  readonly listeners: number;
  /** Pending timers across connections and the pool's idle timers. */
  readonly timers: number;
  readonly destroyed: boolean;
}

interface Entry {
  connection: Connection;
  refCount: number;
  idleSince: number | null;
  cancelIdle: (() => void) | undefined;
  unsubscribe: (() => void) | undefined;
}

/**
 * Reference-counted connections by key. The same key returns the same connection; the last
 * release closes it after `idleTimeout`, so a route change does not reconnect.
 */
export class ConnectionPool extends Subscribable<(snapshot: PoolSnapshot) => void> {
  readonly options: PoolOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #transport: Transport;
  #snapshot: PoolSnapshot | undefined;
  /** The connection snapshots `#snapshot` was built from, in entry order. */
  #sources: ConnectionSnapshot[] = [];
  #destroyed = false;
  #warned = false;

  constructor(options: PoolOptions = {}) {
    super();
    this.options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timers = new Timers(this.#clock);
    // Loaded on first connect, so apps that pass another transport never bundle socket.io-client.
    this.#transport =
      options.transport ??
      lazyTransport({ name: 'socket.io', canSend: true, canPing: true }, () =>
        import('../transports/socketio.js').then((m) => m.socketio()),
      );
  }

  /** Claims the connection for `key` (a namespace or path), opening it if needed. */
  acquire<TIn extends EventMap = EventMap, TOut extends EventMap = EventMap>(
    key = '/',
  ): Lease<TIn, TOut> {
    if (this.#destroyed) throw new WirekitError('closed', 'The pool was destroyed');
    let entry = this.#entries.get(key);
    // Closed by hand (`connection.close()`): closed is final, so the key gets a new one.
    // Leases on the old one go stale; their release() no longer counts.
    if (entry?.connection.state === 'closed') {
      this.#entries.delete(key);
      this.#dispose(entry);
      entry = undefined;
    }
    if (!entry) {
      entry = this.#create(key);
      this.#entries.set(key, entry);
      this.#warnIfTooMany();
    }
    entry.refCount += 1;
    entry.idleSince = null;
    entry.cancelIdle?.();
    entry.cancelIdle = undefined;
    entry.connection.open();
    this.#changed();

    const claimed = entry;
    let released = false;
    return {
      key,
      connection: claimed.connection as unknown as Connection<TIn, TOut>,
      get released() {
        return released;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#release(key, claimed);
      },
    };
  }

  /** The connection for `key` if one is open, without claiming it. */
  peek(key = '/'): Connection | undefined {
    return this.#entries.get(key)?.connection;
  }

  /** Reconnects every connection now (e.g. after sign-in, with a new token). */
  reconnectAll(): void {
    for (const entry of this.#entries.values()) entry.connection.reconnect();
  }

  getSnapshot = (): PoolSnapshot => {
    // Connections change without telling the pool when nobody subscribes to it: compare theirs.
    if (this.#snapshot && this.#sourcesCurrent()) return this.#snapshot;
    this.#sources = [];
    const connections: PoolConnectionSnapshot[] = [];
    let leases = 0;
    let listeners = 0;
    let timers = this.#timers.size;
    for (const entry of this.#entries.values()) {
      const snap = entry.connection.getSnapshot();
      this.#sources.push(snap);
      connections.push(
        Object.freeze({ ...snap, refCount: entry.refCount, idleSince: entry.idleSince }),
      );
      leases += entry.refCount;
      listeners += snap.listeners;
      timers += snap.timers;
    }
    this.#snapshot = Object.freeze({
      connections: Object.freeze(connections),
      leases,
      listeners,
      timers,
      destroyed: this.#destroyed,
    });
    return this.#snapshot;
  };

  #sourcesCurrent(): boolean {
    if (this.#sources.length !== this.#entries.size) return false;
    let i = 0;
    for (const entry of this.#entries.values()) {
      if (entry.connection.getSnapshot() !== this.#sources[i++]) return false;
    }
    return true;
  }

  /** Alias of `getSnapshot()`. */
  snapshot(): PoolSnapshot {
    return this.getSnapshot();
  }

  /** Closes every connection at once, leases or not. The pool cannot be used afterwards. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const entry of this.#entries.values()) this.#dispose(entry);
    this.#entries.clear();
    this.#timers.clearAll();
    this.#changed();
    this.listeners.clear();
  }

  protected override onSubscribe(): void {
    for (const entry of this.#entries.values()) this.#watch(entry);
  }

  protected override onUnsubscribe(): void {
    for (const entry of this.#entries.values()) {
      entry.unsubscribe?.();
      entry.unsubscribe = undefined;
    }
  }

  #create(key: string): Entry {
    const o = this.options;
    const url = o.url ?? (typeof location === 'undefined' ? '' : location.origin);
    // The pool's options are a superset of the connection's; the extra ones are ignored.
    const connection = new Connection({
      ...o,
      key,
      url,
      transport: this.#transport,
      clock: this.#clock,
      inert: !BROWSER && !o.connectOnServer && !this.#transport.local,
    });
    const entry: Entry = {
      connection,
      refCount: 0,
      idleSince: null,
      cancelIdle: undefined,
      unsubscribe: undefined,
    };
    if (this.listeners.size > 0) this.#watch(entry);
    return entry;
  }

  #watch(entry: Entry): void {
    entry.unsubscribe ??= entry.connection.subscribe(() => this.#changed());
  }

  #release(key: string, entry: Entry): void {
    if (this.#entries.get(key) !== entry) return;
    entry.refCount -= 1;
    if (entry.refCount > 0) return this.#changed();
    entry.idleSince = this.#clock.now();
    entry.cancelIdle = this.#timers.set(() => {
      entry.cancelIdle = undefined;
      if (entry.refCount > 0 || this.#entries.get(key) !== entry) return;
      this.#entries.delete(key);
      this.#dispose(entry);
      this.#changed();
    }, this.options.idleTimeout ?? 5_000);
    this.#changed();
  }

  #dispose(entry: Entry): void {
    entry.cancelIdle?.();
    entry.unsubscribe?.();
    entry.unsubscribe = undefined;
    entry.connection.close();
  }

  #warnIfTooMany(): void {
    const max = this.options.maxConnections ?? 8;
    if (!DEV || this.#warned || this.#entries.size <= max) return;
    this.#warned = true;
    console.warn(
      `[wirekit] ${this.#entries.size} connections are open (maxConnections is ${max}). ` +
        'Share keys across components, or raise maxConnections if this is intended.',
    );
  }

  #changed(): void {
    this.#snapshot = undefined;
    for (const listener of [...this.listeners]) {
      try {
        listener(this.getSnapshot());
      } catch (error) {
        console.error('[wirekit] pool subscriber threw', error);
      }
    }
  }
}

/**
 * Creates a connection pool.
 *
 * @example
 * const pool = createPool({ url: 'https://chat.example.com', auth: () => getToken() });
 * const lease = pool.acquire('/chat');
 * lease.connection.on('chat:message', (m) => console.log(m));
 * lease.release();
 */
export function createPool(options: PoolOptions = {}): ConnectionPool {
  return new ConnectionPool(options);
}
