import { createMemoryServer, createPool, memory, type ConnectionPool } from '@wirekit/core';
import { DEFAULT_LIMITS, PROTOCOL_VERSION, type NotificationInput } from '@wirekit/core/protocol';
import {
  createSession,
  LocalHub,
  MemoryStore,
  NotificationService,
  type Session,
} from '@wirekit/server';

type Handler = (session: Session, data: never) => Promise<unknown>;

/**
 * The real server's notification logic (`NotificationService` on a `LocalHub`) behind the core
 * memory transport: UI tests with real server behaviour and no network.
 */
export function localWirekit(user = { id: 'alice', name: 'Alice' }) {
  const server = createMemoryServer();
  const hub = new LocalHub();
  const notifications = new NotificationService({ store: new MemoryStore(), hub });
  const handlers: Record<string, Handler> = {
    'notify:list': (s, p) => notifications.list(s, p),
    'notify:read': (s, p) => notifications.read(s, p),
    'notify:read-all': (s) => notifications.readAll(s),
    'notify:dismiss': (s, p) => notifications.dismiss(s, p),
    'wk:ping': async () => ({ ok: true, t: Date.now() }),
  };
  server.onConnection((peer) => {
    const session = createSession(peer.id, user);
    hub.add(session, (event, payload) => peer.emit(event, payload));
    peer.onClose(() => hub.remove(session.id));
    peer.emit('wk:hello', {
      protocol: PROTOCOL_VERSION,
      user: session.ref,
      limits: DEFAULT_LIMITS,
    });
    peer.onAny((event, data, _meta, ack) => {
      const handler = handlers[event];
      if (!handler) return;
      void handler(session, (data ?? {}) as never).then((reply) => ack?.(reply));
    });
  });
  const pool: ConnectionPool = createPool({
    url: 'memory://wirekit',
    transport: memory(server),
    heartbeat: false,
    idleTimeout: 0,
    // A fixed 3 s retry delay so a countdown is visible and predictable under fake timers.
    backoff: { initialDelay: 3000, maxDelay: 3000, jitter: 0 },
  });
  return {
    server,
    pool,
    /** Notifies the user, as `wirekit.notify()` would. */
    notify: (input: NotificationInput) => notifications.notify(user.id, input),
    async destroy() {
      pool.destroy();
    },
  };
}
