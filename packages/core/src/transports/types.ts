import type { WirekitError } from '../errors.js';

/** Callbacks a transport link reports through. The connection owns what happens next. */
export interface LinkHandlers {
  /** The session is usable (handshake accepted). */
  onOpen(): void;
  /** An inbound event. `bytes` is the wire size when the transport knows it, else `-1`. */
  onMessage(event: string, data: unknown, bytes: number): void;
  /** An inbound frame that could not be decoded; dropped and counted. */
  onInvalid(reason: string): void;
  /** The link ended; `error` is why (`null` when closed by us). Called at most once. */
  onClose(error: WirekitError | null): void;
}

/** Parameters of one connection attempt. */
export interface LinkParams {
  /** The pool key (a namespace or path), resolved against the pool's `url`. */
  key: string;
  /** The pool's base URL (origin, or an absolute URL for the path-based transports). */
  url: string;
  /** Credentials from the auth callback for this attempt; sent in the handshake, never in the URL. */
  auth: Record<string, unknown> | undefined;
  /** Deadline for the handshake in ms. The connection enforces it too. */
  timeout: number;
  handlers: LinkHandlers;
}

/** One live attempt at a session. Closed links are never reused: each attempt gets a new one. */
export interface TransportLink {
  /**
   * Writes one message. With `onAck`, the server is asked to acknowledge and `onAck` gets its
   * reply. Returns the bytes written (`-1` when unknown), or `false` when the link cannot write
   * (it is closing): nothing was sent, and the connection keeps the message for the next link.
   */
  send(
    event: string,
    data: unknown,
    meta: { cid: string } | undefined,
    onAck?: (reply: unknown) => void,
  ): number | false;
  /** Writes without buffering; dropped if the link is not writable. `false` when dropped. */
  sendVolatile(event: string, data: unknown): boolean;
  /**
   * Drops the `onAck` of a message the connection gave up on (timed out, evicted), so a slow
   * server's late reply finds nothing and the callback is not held until the link closes.
   */
  forget?(onAck: (reply: unknown) => void): void;
  /** An application-level ping; `onPong` runs when the peer answers. */
  ping(onPong: () => void): void;
  /**
   * Closes the link; `onClose` is not called after this. `error` says why when the connection
   * gave up on a link that looked alive (heartbeat or handshake timeout), so a transport can
   * stop sharing what the link ran on.
   */
  close(error?: WirekitError): void;
}

/** A way to reach a server. One transport instance may serve many connections. */
export interface Transport {
  readonly name: string;
  /** `false` for receive-only transports (SSE): sends reject with `unsupported`. */
  readonly canSend: boolean;
  /** `false` when the transport has no ping (SSE): the heartbeat is off. */
  readonly canPing: boolean;
  /** `true` for transports that never touch the network (memory), so they run during SSR too. */
  readonly local?: boolean;
  connect(params: LinkParams): TransportLink;
}
