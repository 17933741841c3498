import { WirekitError } from '../errors.js';
import type { LinkParams, Transport, TransportLink } from './types.js';

/**
 * A transport whose implementation is loaded on the first connect, so bundles that never use
 * it (e.g. a pool on `websocket()`) don't carry it. Used for the pool's default `socketio()`.
 */
export function lazyTransport(
  meta: Pick<Transport, 'name' | 'canSend' | 'canPing'>,
  load: () => Promise<Transport>,
): Transport {
  let loading: Promise<Transport> | undefined;
  return {
    ...meta,
    connect(params: LinkParams): TransportLink {
      let real: TransportLink | undefined;
      let closed = false;
      loading ??= load();
      loading.then(
        (transport) => {
          if (closed) return;
          try {
            real = transport.connect(params);
          } catch (cause) {
            // Thrown here it would be an unhandled rejection and the attempt would hang until
            // its deadline; fail it the way the connection fails a transport that throws.
            closed = true;
            params.handlers.onClose(
              new WirekitError('network', 'The transport failed to connect', { cause }),
            );
          }
        },
        (cause: unknown) => {
          loading = undefined;
          if (!closed) {
            params.handlers.onClose(
              new WirekitError('unsupported', `Could not load the ${meta.name} transport`, {
                cause,
              }),
            );
          }
        },
      );
      return {
        send: (event, data, m, onAck) => real?.send(event, data, m, onAck) ?? false,
        sendVolatile: (event, data) => !!real?.sendVolatile(event, data),
        forget: (onAck) => real?.forget?.(onAck),
        ping: (onPong) => real?.ping(onPong),
        close(error) {
          closed = true;
          real?.close(error);
        },
      };
    },
  };
}
