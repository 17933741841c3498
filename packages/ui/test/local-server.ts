import {
  createMemoryServer,
  createPool,
  memory,
  type ConnectionPool,
  type MemoryServer,
} from '@wirekit/core';
import {
  DEFAULT_LIMITS,
  PROTOCOL_VERSION,
  ackError,
  schemas,
  validatePayload,
  type ClientEventName,
} from '@wirekit/core/protocol';
import {
  ChatService,
  LocalHub,
  MemoryStore,
  createId,
  createSession,
  type Session,
} from '@wirekit/server';

/** Users: the token is `token-<id>`. */
const USERS: Record<string, { id: string; name: string }> = {
  alice: { id: 'alice', name: 'Alice' },
  bob: { id: 'bob', name: 'Bob' },
  carol: { id: 'carol', name: 'Carol' },
  dave: { id: 'dave', name: 'Dave' },
};

/** The real chat service over core's in-memory transport (no network). */
export interface LocalServer {
  memory: MemoryServer;
  chat: ChatService;
  store: MemoryStore;
  hub: LocalHub;
  /** A pool signed in as `user`; `close()` destroys it. */
  pool(user?: string): ConnectionPool;
  /** The next `count` sends are refused with `internal`, as a failing server would. */
  failNextSends(count: number): void;
  /** A server-side session for `user` that can act in rooms directly. */
  actor(user: string): Session;
  /** Fills a room with `count` messages by `user` (straight into the store). */
  seed(room: string, count: number, user?: string, start?: number): Promise<void>;
  /** Destroys the pools it handed out, then stops the chat service (its presence timers). */
  close(): void;
}

let sessionSeq = 0;

export function startLocalServer(options: { presenceListLimit?: number } = {}): LocalServer {
  const memoryServer = createMemoryServer({
    authenticate: (auth) => typeof auth?.token === 'string' && auth.token.slice(6) in USERS,
  });
  const store = new MemoryStore({ maxHistoryPerRoom: 5000 });
  const hub = new LocalHub();
  const chat = new ChatService({ store, hub, typingThrottleMs: 0, ...options });
  let failSends = 0;

  memoryServer.onConnection((peer) => {
    const token = String(peer.auth?.token ?? '');
    const user = USERS[token.slice(6)];
    if (!user) return peer.close('unauthorized');
    const session = createSession(peer.id, user);
    hub.add(session, (event, payload) => peer.emit(event, payload));
    peer.emit('wk:hello', {
      protocol: PROTOCOL_VERSION,
      user: session.ref,
      limits: DEFAULT_LIMITS,
    });
    const handlers: Partial<Record<ClientEventName, (payload: never, cid?: string) => unknown>> = {
      'chat:join': (p) => chat.join(session, p),
      'chat:leave': (p) => chat.leave(session, p),
      'chat:send': (p, cid) => {
        if (failSends > 0) {
          failSends -= 1;
          return ackError('internal', 'simulated failure');
        }
        return chat.send(session, p, cid);
      },
      'chat:edit': (p) => chat.edit(session, p),
      'chat:delete': (p) => chat.delete(session, p),
      'chat:typing': (p) => chat.typing(session, p),
      'chat:history': (p) => chat.history(session, p),
      'chat:changes': (p) => chat.changes(session, p),
    };
    let queue: Promise<unknown> = Promise.resolve();
    peer.onAny((event, data, meta, ack) => {
      if (event === 'wk:ping') return ack?.({ ok: true, t: Date.now() });
      const handler = handlers[event as ClientEventName];
      if (!handler) return ack?.(ackError('invalid', `unknown event ${event}`));
      const checked = validatePayload(schemas.client[event as ClientEventName], data);
      if (!checked.ok) return ack?.(checked);
      // One event at a time per session, as the Socket.IO server does.
      queue = queue
        .then(() => handler(checked.value as never, meta?.cid))
        .then(
          (result) => ack?.(result),
          () => ack?.(ackError('internal', 'internal error')),
        );
    });
    peer.onClose(() => {
      hub.remove(session.id);
      void chat.disconnect(session);
    });
  });

  const pools: ConnectionPool[] = [];
  return {
    memory: memoryServer,
    chat,
    store,
    hub,
    pool(user = 'alice') {
      const pool = createPool({
        url: 'memory://local',
        transport: memory(memoryServer),
        auth: () => `token-${user}`,
        idleTimeout: 50,
        heartbeat: false,
      });
      pools.push(pool);
      return pool;
    },
    close() {
      for (const pool of pools.splice(0)) pool.destroy();
      chat.close();
    },
    failNextSends(count) {
      failSends = count;
    },
    actor(id) {
      const user = USERS[id];
      if (!user) throw new Error(`unknown user ${id}`);
      const session = createSession(`actor-${id}-${++sessionSeq}`, user);
      hub.add(session, () => {});
      return session;
    },
    async seed(room, count, user = 'bob', start = Date.now() - count * 1000) {
      const ref = USERS[user];
      if (!ref) throw new Error(`unknown user ${user}`);
      for (let i = 0; i < count; i++) {
        await store.appendMessage({
          id: createId(),
          room,
          text: `Message ${i + 1}`,
          user: ref,
          createdAt: start + i * 1000,
        });
      }
    },
  };
}
