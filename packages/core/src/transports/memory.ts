import { WirekitError } from '../errors.js';
import type { LinkParams, Transport, TransportLink } from './types.js';
import { PING_EVENT } from './ping.js';

type Ack = (reply: unknown) => void;

/** The server side of one in-memory connection. */
export interface MemoryPeer {
  readonly id: string;
  readonly key: string;
  readonly auth: Record<string, unknown> | undefined;
  /** Sends an event to the client. */
  emit(event: string, data?: unknown): void;
  /** Handles a client event; `ack` is set when the client asked for one. */
  on(
    event: string,
    handler: (data: unknown, meta: { cid: string } | undefined, ack: Ack | undefined) => void,
  ): () => void;
  /** Handles any client event. */
  onAny(
    handler: (
      event: string,
      data: unknown,
      meta: { cid: string } | undefined,
      ack: Ack | undefined,
    ) => void,
  ): () => void;
  onClose(handler: () => void): () => void;
  /** Closes from the server side; the client sees a `server` error and reconnects. */
  close(reason?: string): void;
  readonly closed: boolean;
}

export interface MemoryServerOptions {
  /** Accepts or rejects a handshake; rejected clients get `unauthorized` and stop. */
  authenticate?: (auth: Record<string, unknown> | undefined, key: string) => boolean;
  /** Simulated one-way latency in ms; 0 delivers on the next microtask. @default 0 */
  latency?: number;
}

/**
 * An in-process server for Storybook, demos and UI tests: no network at all. Never a
 * stand-in for an integration test against a real server.
 */
export class MemoryServer {
  readonly #options: MemoryServerOptions;
  readonly #peers = new Set<MemoryPeer & { drop(error: WirekitError): void }>();
  readonly #connectionHandlers = new Set<(peer: MemoryPeer) => void>();
  #available = true;
  #seq = 0;

  constructor(options: MemoryServerOptions = {}) {
    this.#options = options;
  }

  get available(): boolean {
    return this.#available;
  }

  get peers(): readonly MemoryPeer[] {
    return [...this.#peers];
  }

  onConnection(handler: (peer: MemoryPeer) => void): () => void {
    this.#connectionHandlers.add(handler);
    return () => this.#connectionHandlers.delete(handler);
  }

  /** Sends to every connected peer (optionally only those on `key`). */
  broadcast(event: string, data?: unknown, key?: string): void {
    for (const peer of this.#peers)
      if (key === undefined || peer.key === key) peer.emit(event, data);
  }

  /** Simulates the server going down (`false`: live links drop, new ones fail) and back. */
  setAvailable(available: boolean): void {
    this.#available = available;
    if (available) return;
    for (const peer of [...this.#peers])
      peer.drop(new WirekitError('network', 'Server unavailable'));
  }

  /** Sets the simulated latency. */
  setLatency(ms: number): void {
    this.#options.latency = ms;
  }

  #later(fn: () => void): void {
    const latency = this.#options.latency ?? 0;
    if (latency > 0) setTimeout(fn, latency);
    else queueMicrotask(fn);
  }

  /** @internal Used by the `memory()` transport. */
  _connect({ key, auth, handlers }: LinkParams): TransportLink {
    let open = false;
    let closed = false;
    /** Closed by the client: per the Transport contract, no `onClose` after that. */
    let dismissed = false;
    const id = `mem-${++this.#seq}`;
    const eventHandlers = new Map<
      string,
      Set<(data: unknown, meta: { cid: string } | undefined, ack: Ack | undefined) => void>
    >();
    const anyHandlers = new Set<
      (
        event: string,
        data: unknown,
        meta: { cid: string } | undefined,
        ack: Ack | undefined,
      ) => void
    >();
    const closeHandlers = new Set<() => void>();
    /** Ack callbacks awaiting the server's reply; each is called once, unless forgotten. */
    const awaiting = new Set<Ack>();
    const later = (fn: () => void) => this.#later(fn);
    const peers = this.#peers;

    const end = (error: WirekitError | null) => {
      if (closed) return;
      closed = true;
      peers.delete(peer);
      for (const h of [...closeHandlers]) h();
      eventHandlers.clear();
      anyHandlers.clear();
      awaiting.clear();
      closeHandlers.clear();
      if (error) later(() => dismissed || handlers.onClose(error));
    };

    const peer: MemoryPeer & { drop(error: WirekitError): void } = {
      id,
      key,
      auth,
      get closed() {
        return closed;
      },
      emit(event, data) {
        if (closed || !open) return;
        later(() => {
          if (!closed) handlers.onMessage(event, data, -1);
        });
      },
      on(event, handler) {
        let set = eventHandlers.get(event);
        if (!set) eventHandlers.set(event, (set = new Set()));
        set.add(handler);
        return () => set.delete(handler);
      },
      onAny(handler) {
        anyHandlers.add(handler);
        return () => anyHandlers.delete(handler);
      },
      onClose(handler) {
        closeHandlers.add(handler);
        return () => closeHandlers.delete(handler);
      },
      close(reason = 'Closed by the server') {
        end(new WirekitError('server', reason));
      },
      drop(error) {
        end(error);
      },
    };

    later(() => {
      if (closed) return;
      if (!this.#available) return end(new WirekitError('network', 'Server unavailable'));
      if (this.#options.authenticate && !this.#options.authenticate(auth, key)) {
        return end(new WirekitError('unauthorized', 'Rejected by the memory server'));
      }
      open = true;
      peers.add(peer);
      handlers.onOpen();
      for (const h of [...this.#connectionHandlers]) h(peer);
    });

    const deliver = (
      event: string,
      data: unknown,
      meta: { cid: string } | undefined,
      onAck?: Ack,
    ) => {
      later(() => {
        if (closed) return;
        const ack: Ack | undefined = onAck
          ? (reply) =>
              later(() => {
                if (!closed && awaiting.delete(onAck)) onAck(reply);
              })
          : undefined;
        if (event === PING_EVENT) return ack?.(undefined);
        for (const h of [...(eventHandlers.get(event) ?? [])]) h(data, meta, ack);
        for (const h of [...anyHandlers]) h(event, data, meta, ack);
      });
    };

    return {
      send(event, data, meta, onAck) {
        if (closed || !open) return false;
        if (onAck) awaiting.add(onAck);
        deliver(event, data, meta, onAck);
        return -1;
      },
      sendVolatile(event, data) {
        return !closed && open && (deliver(event, data, undefined), true);
      },
      forget(onAck) {
        awaiting.delete(onAck);
      },
      ping(onPong) {
        if (!closed && open) {
          const onAck = () => onPong();
          awaiting.add(onAck);
          deliver(PING_EVENT, undefined, undefined, onAck);
        }
      },
      close() {
        dismissed = true;
        end(null);
      },
    };
  }
}

/** Creates an in-process server for the `memory()` transport. */
export function createMemoryServer(options?: MemoryServerOptions): MemoryServer {
  return new MemoryServer(options);
}

/**
 * In-process transport to a `MemoryServer`, for Storybook and UI tests. It runs during SSR
 * too, since it touches no network.
 *
 * @example
 * const server = createMemoryServer();
 * server.onConnection((peer) => peer.on('echo', (d, _m, ack) => ack?.(d)));
 * const pool = createPool({ transport: memory(server) });
 */
export function memory(server: MemoryServer): Transport {
  return {
    name: 'memory',
    canSend: true,
    canPing: true,
    local: true,
    connect: (params) => server._connect(params),
  };
}
