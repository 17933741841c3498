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
  links: number;
  /** Size of the Engine.IO packet being decoded right now (decoding is synchronous). */
  lastPacketBytes: number;
  dispose(): void;
}

export { PING_EVENT };

/**
 * The default transport: socket.io-client. Namespaces (pool keys) of one origin share one
 * Manager, so N namespaces cost one TCP connection. wirekit owns reconnects; socket.io's own
 * reconnection is off.
 */
export function socketio(options: SocketIoTransportOptions = {}): Transport {
  const managers = new Map<string, SharedManager>();

  function claimManager(origin: string, timeout: number): [string, SharedManager] {
    const path = options.path ?? '/socket.io';
    const id = `${origin}|${path}`;
    let shared = managers.get(id);
    if (!shared) {
      const manager = new Manager(origin, {
        path,
        transports: options.transports ?? ['websocket'],
        ...options.managerOptions,
        autoConnect: false,
        reconnection: false,
        timeout,
      });
      const onOpen = () => {
        manager.engine.on('packet', (packet) => {
          if (packet.type === 'message' && typeof packet.data === 'string') {
            shared!.lastPacketBytes = packet.data.length;
          }
        });
      };
      manager.on('open', onOpen);
      shared = {
        manager,
        links: 0,
        lastPacketBytes: -1,
        dispose: () => manager.off('open', onOpen),
      };
      managers.set(id, shared);
    }
    shared.links += 1;
    return [id, shared];
  }

  function releaseManager(id: string, shared: SharedManager): void {
    shared.links -= 1;
    if (shared.links > 0 || managers.get(id) !== shared) return;
    managers.delete(id);
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
      const [id, shared] = claimManager(origin, timeout);
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
        releaseManager(id, shared);
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
        const bytes = shared.lastPacketBytes;
        shared.lastPacketBytes = -1;
        handlers.onMessage(event, data, bytes);
      };

      socket.on('connect', onConnect);
      socket.on('connect_error', onConnectError);
      socket.on('disconnect', onDisconnect);
      socket.onAny(onAny);
      socket.connect();

      return {
        send(event, data, meta, onAck) {
          if (done || !socket.connected) return -1;
          if (onAck) socket.emit(event, data, meta, onAck);
          else socket.emit(event, data, meta);
          return -1;
        },
        sendVolatile(event, data) {
          if (!done && socket.connected) socket.volatile.emit(event, data);
        },
        ping(onPong) {
          if (!done && socket.connected) socket.volatile.emit(PING_EVENT, () => onPong());
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
