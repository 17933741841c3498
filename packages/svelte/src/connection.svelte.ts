import { untrack } from 'svelte';
import { createSubscriber } from 'svelte/reactivity';
import {
  WirekitError,
  type AckSendOptions,
  type Connection,
  type ConnectionPool,
  type ConnectionSnapshot,
  type ConnectionState,
  type EventMap,
  type Lease,
  type OnOptions,
  type SendOptions,
} from '@wirekit/core';
import { resolvePool } from './context.js';
import { closedConnection, detachedConnection } from './internal/detached.js';
import { bindLifecycle, ownedEffect } from './internal/lifecycle.svelte.js';
import { read, type MaybeGetter } from './types.js';

/** Options of {@link useConnection}. */
export interface UseConnectionOptions {
  /** @default getPool() */
  pool?: ConnectionPool;
}

/** What the getters read: a snapshot and a subscriber that tracks its changes. */
interface Source {
  readonly key: string;
  readonly snapshot: () => ConnectionSnapshot;
  readonly track: () => void;
}

interface Registration {
  readonly event: string;
  readonly handler: (data: never) => void;
  readonly options: OnOptions<never> | undefined;
  off: (() => void) | undefined;
}

function source(connection: Connection): Source {
  return {
    key: connection.key,
    snapshot: connection.getSnapshot,
    track: createSubscriber((update) => connection.subscribe(() => update())),
  };
}

/**
 * A pool connection as runes. Holds a lease on `key` while mounted (or until {@link dispose}
 * when created outside a component); a key getter re-targets it. Reads are reactive and only
 * subscribe to the core connection while something reads them.
 */
export class ReactiveConnection<TIn extends EventMap = EventMap, TOut extends EventMap = EventMap> {
  readonly #pool: ConnectionPool;
  readonly #key: () => string;
  // Bookkeeping, never rendered: a plain Set on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #registrations = new Set<Registration>();
  readonly #stop: () => void;
  #source: Source;
  // State so that `connection` is reactive; methods read it untracked (see #held).
  #lease: Lease | undefined = $state.raw();
  #disposed = false;

  constructor(key: MaybeGetter<string | undefined> = '/', options: UseConnectionOptions = {}) {
    this.#pool = resolvePool(options.pool);
    this.#key = () => read(key) ?? '/';
    // Until mount (and forever during SSR) reads show an idle connection outside the pool.
    this.#source = $state.raw(source(detachedConnection(untrack(this.#key))));
    // A getter may re-run without its result changing (SvelteKit's `data` is a new object on
    // every navigation): the derived only changes when the key does, so the lease stays put.
    const current = $derived(this.#key());
    this.#stop = bindLifecycle(() => {
      const key = current;
      if (this.#disposed) return;
      return untrack(() => this.#attach(key));
    });
  }

  /** The full core snapshot (state, attempt, rtt, queued, counters, …). */
  get snapshot(): ConnectionSnapshot {
    const source = this.#source;
    source.track();
    return source.snapshot();
  }

  /** `idle | connecting | connected | reconnecting | failed | closed`. */
  get state(): ConnectionState {
    return this.snapshot.state;
  }

  /** `state === 'connected'`. */
  get connected(): boolean {
    return this.snapshot.state === 'connected';
  }

  /** Attempts since the last successful connect (0 while connected). */
  get attempt(): number {
    return this.snapshot.attempt;
  }

  /** Last heartbeat round trip in ms, or `null`. */
  get rtt(): number | null {
    return this.snapshot.rtt;
  }

  /** Why the last attempt or session ended (typed `WirekitError`), or `null`. */
  get error(): WirekitError | null {
    return this.snapshot.error;
  }

  /** The pool key this currently holds. */
  get key(): string {
    return this.#source.key;
  }

  /** The leased core connection, or `undefined` before mount, during SSR and after dispose. */
  get connection(): Connection<TIn, TOut> | undefined {
    return this.#lease?.connection as Connection<TIn, TOut> | undefined;
  }

  /**
   * Sends through the leased connection (queued while offline; see core `Connection.send`).
   * Before mount, during SSR or after dispose there is no connection: it throws (or, with
   * `{ ack: true }`, rejects) a `WirekitError` of kind `closed`.
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
    const connection = this.#held()?.connection as Connection | undefined;
    if (!connection) {
      const error = new WirekitError(
        'closed',
        `useConnection: no connection for "${this.key}" (not mounted yet, server render, or disposed)`,
      );
      if (options && 'ack' in options && options.ack) return Promise.reject(error);
      throw error;
    }
    return connection.send(event, data, options as AckSendOptions);
  }

  /** Drops the current link or retry wait and connects now (the way out of `failed`). */
  reconnect(): void {
    this.#held()?.connection.reconnect();
  }

  /**
   * Listens to an inbound event on whichever connection this holds (re-attached when the key
   * changes). Removed automatically on dispose, and when the component or effect that called
   * `on()` goes (unmount, effect re-run); the returned function removes it earlier.
   */
  on<K extends keyof TIn & string>(
    event: K,
    handler: (data: TIn[K]) => void,
    options?: OnOptions<TIn[K]>,
  ): () => void {
    if (this.#disposed) return () => {};
    const registration: Registration = {
      event,
      handler: handler as (data: never) => void,
      options: options as OnOptions<never> | undefined,
      off: undefined,
    };
    let removed = false;
    const add = () => {
      if (removed || this.#disposed) return;
      this.#registrations.add(registration);
      const lease = this.#held();
      if (lease) this.#listen(lease.connection, registration);
    };
    const off = () => {
      removed = true;
      registration.off?.();
      registration.off = undefined;
      this.#registrations.delete(registration);
    };
    // Called by a component (while it initialises, or in an effect), the handler belongs to
    // that component too: a child given this connection as a prop stops listening when it
    // unmounts, and an effect's handler goes when the effect re-runs.
    const owned = ownedEffect(() => {
      add();
      return off;
    });
    if (!owned) add();
    return off;
  }

  /**
   * Releases the lease and removes handlers now. Only needed when created outside a component;
   * in a component, unmount does it. Idempotent.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#detach();
    this.#registrations.clear();
    this.#stop();
  }

  #attach(key: string): () => void {
    let lease: Lease;
    try {
      lease = this.#pool.acquire(key);
    } catch (cause) {
      // The pool was destroyed: show a closed connection rather than fail the component.
      const error =
        cause instanceof WirekitError ? cause : new WirekitError('closed', String(cause));
      const last = Object.freeze({ ...closedConnection(key).getSnapshot(), error });
      this.#source = { key, snapshot: () => last, track: () => {} };
      return () => {};
    }
    this.#lease = lease;
    for (const registration of this.#registrations) this.#listen(lease.connection, registration);
    this.#source = source(lease.connection);
    return () => this.#detach();
  }

  /** The lease, read without tracking: calling a method in an effect must not subscribe it. */
  #held(): Lease | undefined {
    return untrack(() => this.#lease);
  }

  #detach(): void {
    const lease = this.#held();
    if (!lease) return;
    this.#lease = undefined;
    for (const registration of this.#registrations) {
      registration.off?.();
      registration.off = undefined;
    }
    // Keep showing the last picture without a listener on a connection we no longer hold.
    const last = lease.connection.getSnapshot();
    this.#source = { key: lease.key, snapshot: () => last, track: () => {} };
    lease.release();
  }

  #listen(connection: Connection, registration: Registration): void {
    registration.off = connection.on(
      registration.event,
      registration.handler as (data: unknown) => void,
      registration.options as OnOptions<unknown> | undefined,
    );
  }
}

/**
 * A reactive pool connection.
 *
 * @param key pool key (namespace or path), or a getter to follow a prop. @default '/'
 * @example
 * ```svelte
 * <script lang="ts">
 *   import { useConnection } from '@wirekit/svelte';
 *   const conn = useConnection();
 *   conn.on('notify:new', (n) => console.log(n));
 * </script>
 * <p>{conn.state} {conn.rtt ?? '–'} ms</p>
 * <button onclick={() => conn.reconnect()} disabled={conn.connected}>Reconnect</button>
 * ```
 */
export function useConnection<TIn extends EventMap = EventMap, TOut extends EventMap = EventMap>(
  key?: MaybeGetter<string | undefined>,
  options?: UseConnectionOptions,
): ReactiveConnection<TIn, TOut> {
  return new ReactiveConnection<TIn, TOut>(key, options);
}
