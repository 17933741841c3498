import { Manager, type ManagerOptions, type Socket } from 'socket.io-client';
import { WirekitError } from '../errors.js';
import { PING_EVENT } from './ping.js';
import type { LinkParams, Transport, TransportLink } from './types.js';

export interface SocketIoTransportOptions {
  /** Engine.IO path on the server. @default '/socket.io' */
  path?: string;
  /**
   * Engine.IO transports in order of preference. Use `['polling', 'websocket']` where proxies
   * block WebSocket. @default ['websocket']
   */
  transports?: ManagerOptions['transports'];
  /** Extra Manager options (reconnection is always wirekit's, not socket.io's). */
  managerOptions?: Partial<ManagerOptions>;
}

interface SharedManager {
  manager: Manager;
  /** Namespaces of the links on it: a Manager has one socket per namespace. */
  nsps: Set<string>;
  /** Wire size of the event packet the manager is dispatching right now, else `-1`. */
  packetBytes: number;
  dispose(): void;
}

/** Socket.IO packet types that reach `onAny` (EVENT, BINARY_EVENT). */
const EVENT = 2;
const BINARY_EVENT = 5;

type Listener = (...args: never[]) => void;
interface EmitterLike {
  on(event: string, fn: Listener): unknown;
  off(event: string, fn: Listener): unknown;
}

/**
 * Tracks the wire size of every inbound packet, so `bytesIn` counts the wire without
 * re-serializing each payload. Socket.IO decodes a whole read chunk first and dispatches the
 * packets later (one deferred tick each, in order), so "the last packet read" is wrong for all
 * but one packet of a burst. Sizes are queued per decoded packet instead:
 * engine `data` (raw message; binary attachments add up) → decoder `decoded` (queue packet and
 * size) → manager `packet` (registered before any socket's listener, so it runs first; takes
 * the head of the queue, checked by identity) → the socket's `onAny`.
 */
function trackPacketBytes(manager: Manager, shared: SharedManager): () => void {
  // The decoder is not public API; without it the connection estimates sizes itself.
  const decoder = (manager as unknown as { decoder?: Partial<EmitterLike> }).decoder;
  if (typeof decoder?.on !== 'function' || typeof decoder.off !== 'function') return () => {};
  // Parallel arrays and a head index: no allocation per packet (a WeakMap costs more here).
  const packets: (object | undefined)[] = [];
  const sizes: number[] = [];
  let head = 0;
  let pending = 0;
  const onData = (data: string | { byteLength?: number; size?: number }) => {
    pending += typeof data === 'string' ? data.length : (data.byteLength ?? data.size ?? 0);
  };
  const onDecoded = (packet: object) => {
    packets.push(packet);
    sizes.push(pending);
    pending = 0;
  };
  const onPacket = (packet: { type: number }) => {
    let bytes = -1;
    if (packets[head] === packet) {
      bytes = sizes[head]!;
      packets[head++] = undefined;
    } else head = packets.length; // out of step (never expected): drop what is queued
    if (head === packets.length) packets.length = sizes.length = head = 0;
    shared.packetBytes = packet.type === EVENT || packet.type === BINARY_EVENT ? bytes : -1;
  };
  const onOpen = () => {
    pending = 0; // a chunk cut short by a parse error never decoded
    manager.engine.on('data', onData);
  };
  manager.on('open', onOpen);
  manager.on('packet', onPacket);
  (decoder as EmitterLike).on('decoded', onDecoded);
  return () => {
    manager.off('open', onOpen);
    manager.off('packet', onPacket);
    (decoder as EmitterLike).off('decoded', onDecoded);
  };
}

export { PING_EVENT };

/**
 * The default transport: socket.io-client. Namespaces (pool keys) of one origin share one
 * Manager, so N namespaces cost one TCP connection. wirekit owns reconnects; socket.io's own
 * reconnection is off.
 */
export function socketio(options: SocketIoTransportOptions = {}): Transport {
  const managers = new Map<string, SharedManager>();

  function claimManager(origin: string, nsp: string, timeout: number): [string, SharedManager] {
    const path = options.path ?? '/socket.io';
    const id = `${origin}|${path}`;
    let shared = managers.get(id);
    // Its socket for `nsp` is taken (keys 'chat' and '/chat', or two pools on one transport):
    // a Manager of this link's own, or the two links would drive one socket.
    if (!shared || shared.nsps.has(nsp)) {
      const manager = new Manager(origin, {
        path,
        transports: options.transports ?? ['websocket'],
        ...options.managerOptions,
        autoConnect: false,
        reconnection: false,
        timeout,
      });
      const created = { manager, nsps: new Set(), packetBytes: -1 } as SharedManager;
      created.dispose = trackPacketBytes(manager, created);
      if (!shared) managers.set(id, created);
      shared = created;
    }
    shared.nsps.add(nsp);
    return [id, shared];
  }

  function releaseManager(id: string, nsp: string, shared: SharedManager): void {
    shared.nsps.delete(nsp);
    if (shared.nsps.size > 0) return;
    if (managers.get(id) === shared) managers.delete(id);
    shared.dispose();
    shared.manager._close();
  }

  return {
    name: 'socket.io',
    canSend: true,
    canPing: true,
    connect({ key, url, auth, timeout, handlers }: LinkParams): TransportLink {
      const origin = new URL(url, globalThis.location?.href).origin;
      const nsp = key.startsWith('/') ? key : `/${key}`;
      const [id, shared] = claimManager(origin, nsp, timeout);
      const socket: Socket = shared.manager.socket(nsp);
      socket.auth = auth ?? {};
      let done = false;

      const cleanup = () => {
        socket.off('connect', onConnect);
        socket.off('connect_error', onConnectError);
        socket.off('disconnect', onDisconnect);
        socket.offAny(onAny);
        socket.sendBuffer = [];
        socket.disconnect();
        releaseManager(id, nsp, shared);
      };
      const finish = (error: WirekitError) => {
        if (done) return;
        done = true;
        cleanup();
        handlers.onClose(error);
      };
      const onConnect = () => handlers.onOpen();
      const onConnectError = (err: Error & { data?: { code?: string; message?: string } }) =>
        finish(mapConnectError(err));
      const onDisconnect = (reason: Socket.DisconnectReason) => finish(mapDisconnect(reason));
      const onAny = (event: string, data: unknown) => {
        const bytes = shared.packetBytes;
        shared.packetBytes = -1; // events replayed from socket.io's receive buffer: unknown
        handlers.onMessage(event, data, bytes);
      };

      socket.on('connect', onConnect);
      socket.on('connect_error', onConnectError);
      socket.on('disconnect', onDisconnect);
      socket.onAny(onAny);
      socket.connect();

      return {
        send(event, data, meta, onAck) {
          if (done || !socket.connected) return false;
          if (onAck) socket.emit(event, data, meta, onAck);
          else socket.emit(event, data, meta);
          // Buffered, not written, when Engine.IO's ping deadline has passed (the device slept):
          // for a reconnect of socket.io's own that never comes, as this link is closing.
          if (socket.sendBuffer.length) return ((socket.sendBuffer = []), false);
          return -1;
        },
        sendVolatile(event, data) {
          // socket.io-client discards a volatile packet while its transport is busy writing.
          const writable = !done && socket.connected && socket.io.engine.transport.writable;
          if (writable) socket.volatile.emit(event, data);
          return writable;
        },
        forget(onAck) {
          // socket.io-client keeps ack callbacks by packet id until the reply or a disconnect.
          const acks = (socket as unknown as { acks: Record<string, unknown> }).acks;
          for (const id in acks) if (acks[id] === onAck) delete acks[id];
        },
        ping(onPong) {
          // Not volatile: a volatile packet is discarded while the engine is still writing the
          // previous one, e.g. the first pings of namespaces that connect in the same tick.
          if (!done && socket.connected) socket.emit(PING_EVENT, () => onPong());
        },
        close(error) {
          if (done) return;
          done = true;
          // Given up on (e.g. no pong): the engine under it may be dead, though Engine.IO only
          // notices after its ping timeout (45 s by default). The next link gets a new Manager;
          // this one closes with its last link.
          if (error && managers.get(id) === shared) managers.delete(id);
          cleanup();
        },
      };
    },
  };
}

function mapConnectError(
  err: Error & { data?: { code?: string; message?: string } },
): WirekitError {
  const code = err.data?.code ?? err.message;
  if (code === 'unauthorized' || code === 'forbidden') {
    return new WirekitError(
      'unauthorized',
      err.data?.message ?? 'The server rejected the credentials',
      {
        cause: err,
        data: err.data,
      },
    );
  }
  if (err.message === 'timeout')
    return new WirekitError('timeout', 'Handshake timed out', { cause: err });
  // Middleware errors carry `data`; engine errors (refused, DNS, proxy) don't.
  if (err.data !== undefined) {
    return new WirekitError('server', err.data?.message ?? err.message, {
      cause: err,
      data: err.data,
    });
  }
  return new WirekitError('network', err.message || 'Could not reach the server', { cause: err });
}

function mapDisconnect(reason: Socket.DisconnectReason): WirekitError {
  if (reason === 'io server disconnect') {
    return new WirekitError('server', 'The server closed the session', { data: reason });
  }
  if (reason === 'ping timeout')
    return new WirekitError('timeout', 'Engine.IO ping timeout', { data: reason });
  return new WirekitError('network', `Connection lost (${reason})`, { data: reason });
}
