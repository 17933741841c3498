import {
  ClientEvents,
  DEFAULT_LIMITS,
  ID_PATTERN,
  MAX_ID_LENGTH,
  PROTOCOL_VERSION,
  ServerEvents,
  ackError,
  ackOk,
  createSchemas,
  validatePayload,
  type Ack,
  type AckError,
  type ClientEvent,
  type ClientPayloads,
  type ErrorCode,
  type Notification,
  type NotificationInput,
  type ProtocolLimits,
} from '@wirekit/core/protocol';
import type { Namespace, Server, Socket } from 'socket.io';
import { ChatService } from './services/chat.js';
import { NotificationService, type NotifyTarget } from './services/notifications.js';
import { createSession, type Session, type WirekitUser } from './services/session.js';
import { RateLimiter } from './services/rate-limiter.js';
import { MemoryStore } from './store/memory.js';
import { InvalidCursorError, type WirekitStore } from './store/types.js';
import { SOCKET_DATA_KEY, SocketIoHub } from './socketio/hub.js';
import { userChannel } from './services/hub.js';

/** What `authenticate` gets besides the token. */
export interface AuthContext {
  /** The Socket.IO handshake (headers, address, query, auth). */
  handshake: Socket['handshake'];
}

/** Options of {@link attachWirekit}. */
export interface WirekitOptions<U extends WirekitUser = WirekitUser> {
  /**
   * Turns the handshake token (`socket.handshake.auth.token`) into a user, or
   * `null` to refuse the connection with `unauthorized`. A throw refuses it
   * with `unavailable` (the client retries).
   * @example
   * authenticate: async (token) => verifyJwt(token) // → { id, name, expiresAt }
   */
  authenticate: (
    token: string,
    context: AuthContext,
  ) => U | null | undefined | Promise<U | null | undefined>;
  /** May this user join this room? @default every room */
  authorizeRoom?: (user: U, room: string) => boolean | Promise<boolean>;
  /** May this user edit or delete others' messages in this room? @default nobody */
  canModerate?: (user: U, room: string) => boolean | Promise<boolean>;
  /** Where history and notifications live. @default new MemoryStore() */
  store?: WirekitStore;
  /** Namespace to serve. @default '/' */
  namespace?: string;
  /** Validator limits (text length, page and batch sizes). @default DEFAULT_LIMITS */
  limits?: Partial<ProtocolLimits>;
  /**
   * Largest accepted event (payload + meta, as UTF-8 JSON), in bytes; larger
   * ones are answered `too_large`. Keep Socket.IO's `maxHttpBufferSize` above it.
   * @default 32_768
   */
  maxEventBytes?: number;
  /**
   * Token bucket for client events (`wk:ping` is exempt), or `false`. `per: 'user'` (the
   * default) shares one bucket between all of a user's connections on this process, so more
   * tabs do not mean more budget, and keeps it until it has refilled, so reconnecting does not
   * either; `per: 'socket'` gives each connection its own.
   * @default { capacity: 30, refillPerSecond: 10, per: 'user' }
   */
  rateLimit?: { capacity: number; refillPerSecond: number; per?: 'user' | 'socket' } | false;
  /**
   * Connections this process accepts on the namespace, counting handshakes in progress (also
   * those waiting in a middleware registered after wirekit's); past it a handshake is refused
   * with `unavailable`.
   * @default 10_000
   */
  maxConnections?: number;
  /**
   * How long one event may take (e.g. a slow store) before it is answered
   * `unavailable` and the socket's next events go ahead; also how long `authenticate`
   * may take before the handshake is refused `unavailable`. `Infinity` for no limit.
   * @default 10_000
   */
  eventTimeoutMs?: number;
  /** Minimum time between two typing broadcasts of a session in a room. @default 1500 */
  typingThrottleMs?: number;
  /** Messages returned on join when the client asks for no number. @default 50 */
  joinHistory?: number;
  /** How long a (user, client id) pair is remembered for dedupe. @default 86_400_000 */
  dedupeTtlMs?: number;
  /**
   * Presence changes of a room within this window (ms) go out as one `chat:presence`
   * `{ room, count, members? }`. 1,000 users joining one room at once then cost about one
   * broadcast per window instead of one per join (n² messages). Join acks do not wait for
   * the window: joins arriving together share the next listing of the room. `0` still
   * coalesces what arrives in one turn of the event loop.
   * @default 50
   */
  presenceBatchMs?: number;
  /**
   * Rooms with more users than this get counts only: `chat:presence` carries `count` and no
   * `members`, and the join ack an empty `members` with `memberCount`.
   * @default 100
   */
  presenceListLimit?: number;
  /**
   * How long a `notify('all')` broadcast still reaches users who connect after it, in ms; `0`
   * for the users connected at that moment only.
   * @default 604_800_000 (7 days)
   */
  broadcastTtlMs?: number;
  /**
   * Rooms one connection may be in at once; past it `chat:join` is answered `forbidden` until
   * it leaves one (each membership costs server memory).
   * @default 1000
   */
  maxRoomsPerSession?: number;
  /** Called with unexpected errors (store failures, bugs). @default console.error */
  onError?: (error: unknown, context: { event: string; userId?: string }) => void;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** A snapshot of the server for a health route. All counts are for this process. */
export interface WirekitHealth {
  status: 'ok' | 'closed';
  protocol: number;
  uptimeMs: number;
  /** Sockets connected to the wirekit namespace. */
  connections: number;
  maxConnections: number;
  /** Distinct users among those sockets. */
  users: number;
  /** Chat rooms with at least one local member. */
  rooms: number;
  /** Sockets per namespace of the Socket.IO server. */
  namespaces: Record<string, number>;
  store: string;
  counters: {
    /** Messages stored (not counting deduped resends). */
    messages: number;
    notifications: number;
    /** Refused handshakes, by code. */
    refused: Partial<Record<ErrorCode, number>>;
    /** Error acks sent, by code. */
    errors: Partial<Record<ErrorCode, number>>;
    /** `chat:presence` broadcasts (one per room and window with a change). */
    presenceBroadcasts: number;
  };
  /** Process memory, where `process` exists. */
  memory?: { rss: number; heapUsed: number; heapTotal: number };
}

/** The handle {@link attachWirekit} returns. */
export interface WirekitServer<U extends WirekitUser = WirekitUser> {
  readonly io: Server;
  readonly namespace: Namespace;
  readonly store: WirekitStore;
  readonly chat: ChatService<U>;
  readonly notifications: NotificationService;
  /**
   * Stores a notification for one user, several, or `'all'` users, and pushes
   * it to their sessions as `notify:new`. `'all'` also reaches users who
   * connect within `broadcastTtlMs` (when the store keeps broadcasts, as both
   * shipped stores do).
   * @example
   * await wirekit.notify('u42', { title: 'Build passed', kind: 'success', url: '/builds/7' });
   * await wirekit.notify('all', { title: 'Maintenance at 22:00' });
   */
  notify(target: NotifyTarget, notification: NotificationInput): Promise<Notification>;
  /** A snapshot for a health route. */
  health(): WirekitHealth;
  /**
   * Disconnects wirekit's sockets, refuses new ones (a handshake already past wirekit's middleware
   * is disconnected as it connects) and closes a store it created.
   */
  close(): Promise<void>;
}

const MAX_TOKEN_LENGTH = 16_384;
/** Room of the sockets between wirekit's middleware and their connection (see `reserve`). */
const HANDSHAKE_ROOM = 'wk:handshake';
const MAX_TIMER = 2_147_483_647;

type AnyAck = Ack<object>;
type AckFn = (reply: AnyAck) => void;
type Handler<U extends WirekitUser, E extends ClientEvent> = (
  session: Session<U>,
  payload: ClientPayloads[E],
  cid: string | undefined,
) => AnyAck | Promise<AnyAck>;

function refusal(code: ErrorCode, message: string): Error & { data: { code: ErrorCode } } {
  return Object.assign(new Error(code), { data: { code, message } });
}

function byteLength(value: unknown, max: number): number {
  let json: string;
  try {
    json = JSON.stringify(value) ?? '';
  } catch {
    return Number.POSITIVE_INFINITY;
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes: skip encoding when clearly small.
  if (json.length * 3 <= max) return json.length;
  return new TextEncoder().encode(json).length;
}

class EventTimeoutError extends Error {
  constructor(ms: number) {
    super(`event took longer than ${ms} ms`);
    this.name = 'EventTimeoutError';
  }
}

function withTimeout<T>(work: T | Promise<T>, ms: number): Promise<T> {
  // Past the timer range (e.g. Infinity) setTimeout would fire after 1 ms: no timeout instead.
  if (!(work instanceof Promise) || !(ms <= MAX_TIMER)) return Promise.resolve(work);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EventTimeoutError(ms)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Wires the wirekit chat + notification protocol onto a Socket.IO server:
 * handshake authentication, rooms, history, notifications, limits.
 *
 * @example
 * const io = new Server(httpServer, { maxHttpBufferSize: 1e5 });
 * const wirekit = attachWirekit(io, {
 *   authenticate: async (token) => users.byToken(token), // { id, name } | null
 *   authorizeRoom: (user, room) => !room.startsWith('admin:') || user.admin,
 * });
 * app.get('/health', (req, res) => res.json(wirekit.health()));
 */
export function attachWirekit<U extends WirekitUser = WirekitUser>(
  io: Server,
  options: WirekitOptions<U>,
): WirekitServer<U> {
  const now = options.now ?? Date.now;
  const nsp = io.of(options.namespace ?? '/');
  const ownsStore = options.store === undefined;
  const store = options.store ?? new MemoryStore({ now });
  const limits: ProtocolLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const schemas = createSchemas(limits);
  const maxEventBytes = options.maxEventBytes ?? 32_768;
  const maxConnections = options.maxConnections ?? 10_000;
  const eventTimeoutMs = options.eventTimeoutMs ?? 10_000;
  const rateLimit =
    options.rateLimit === false
      ? false
      : (options.rateLimit ?? { capacity: 30, refillPerSecond: 10 });
  const perSocket = rateLimit !== false && rateLimit.per === 'socket';
  const limiter = rateLimit
    ? new RateLimiter({
        capacity: rateLimit.capacity,
        refillPerSecond: rateLimit.refillPerSecond,
        now,
      })
    : null;
  const report =
    options.onError ??
    ((error: unknown, context: { event: string; userId?: string }) => {
      console.error(`[wirekit] ${context.event}`, error);
    });
  // A hook that throws must not cost the ack, stall the socket's queue or reject a promise
  // nobody awaits (an unhandled rejection ends the process).
  const onError = (error: unknown, context: { event: string; userId?: string }) => {
    try {
      report(error, context);
    } catch (failure) {
      try {
        console.error(`[wirekit] onError threw while reporting ${context.event}`, failure);
      } catch {
        // Nothing left to report to.
      }
    }
  };
  const hub = new SocketIoHub(nsp);
  const chat = new ChatService<U>({
    store,
    hub,
    now,
    ...(options.authorizeRoom ? { authorizeRoom: options.authorizeRoom } : {}),
    ...(options.canModerate ? { canModerate: options.canModerate } : {}),
    ...(options.typingThrottleMs !== undefined
      ? { typingThrottleMs: options.typingThrottleMs }
      : {}),
    ...(options.joinHistory !== undefined ? { joinHistory: options.joinHistory } : {}),
    ...(options.dedupeTtlMs !== undefined ? { dedupeTtlMs: options.dedupeTtlMs } : {}),
    ...(options.presenceBatchMs !== undefined ? { presenceBatchMs: options.presenceBatchMs } : {}),
    ...(options.presenceListLimit !== undefined
      ? { presenceListLimit: options.presenceListLimit }
      : {}),
    ...(options.maxRoomsPerSession !== undefined
      ? { maxRoomsPerSession: options.maxRoomsPerSession }
      : {}),
    onError: (error, context) => onError(error, context),
  });
  const notifications = new NotificationService({
    store,
    hub,
    now,
    ...(options.broadcastTtlMs !== undefined ? { broadcastTtlMs: options.broadcastTtlMs } : {}),
    onError: (error, context) => onError(error, context),
  });

  const startedAt = now();
  const sessions = new Map<string, Session<U>>();
  // Authenticated but not yet connected (a later middleware may still refuse the socket).
  const authenticated = new WeakMap<Socket, Session<U>>();
  const refused: Partial<Record<ErrorCode, number>> = {};
  const errors: Partial<Record<ErrorCode, number>> = {};
  // Handshakes that passed the connection limit and are not connected yet, by socket id, each
  // with the release of its slot. Counted until they connect (nsp.sockets counts them then),
  // are refused (by us or a middleware registered after us) or their client goes away, so a
  // slow middleware after ours cannot let more than maxConnections through at once.
  const handshakes = new Map<string, () => void>();
  // Adapters whose `leave-room` we watch (io.adapter() may swap the namespace's adapter).
  const watched = new Set<Namespace['adapter']>();
  let closed = false;

  const releaseHandshake = (id: string) => handshakes.get(id)?.();
  // A refusal by a later middleware has no event of its own, but Socket.IO takes a refused (or
  // abandoned) socket out of its rooms: passing our check, a handshake joins HANDSHAKE_ROOM.
  const onLeaveRoom = (room: string, id: string) => {
    if (room === HANDSHAKE_ROOM) releaseHandshake(id);
  };
  const reserve = (socket: Socket) => {
    const { id, conn } = socket;
    const release = () => {
      // Once per handshake, whichever of refusal, connection or close comes first.
      if (handshakes.get(id) !== release) return;
      handshakes.delete(id);
      conn.off('close', release);
      retire();
    };
    handshakes.set(id, release);
    // A client gone mid-handshake frees its slot now, not when a slow middleware finishes.
    conn.once('close', release);
    const adapter = socket.nsp.adapter;
    if (!watched.has(adapter)) {
      watched.add(adapter);
      adapter.on('leave-room', onLeaveRoom);
    }
  };

  // After close(), the last handshake still in flight unhooks wirekit: until then a handshake
  // that passed our middleware can still connect, and must be sent away, not left handlerless.
  const retire = () => {
    if (!closed || handshakes.size > 0) return;
    nsp.off('connection', onConnection);
    for (const adapter of watched) adapter.off('leave-room', onLeaveRoom);
    watched.clear();
  };

  const count = (table: Partial<Record<ErrorCode, number>>, code: ErrorCode) => {
    table[code] = (table[code] ?? 0) + 1;
  };

  nsp.use((socket, next) => {
    const refuse = (code: ErrorCode, message: string) => {
      releaseHandshake(socket.id);
      count(refused, code);
      next(refusal(code, message));
    };
    if (closed) return refuse('unavailable', 'server is closing');
    if (nsp.sockets.size + handshakes.size >= maxConnections) {
      return refuse('unavailable', 'server is at its connection limit');
    }
    const auth: unknown = socket.handshake.auth;
    const token = isPlainObject(auth) ? auth.token : undefined;
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      return refuse('unauthorized', 'missing token');
    }
    const protocol = isPlainObject(auth) ? auth.protocol : undefined;
    if (protocol !== undefined && protocol !== PROTOCOL_VERSION) {
      return refuse('invalid', `unsupported protocol ${String(protocol)}`);
    }
    reserve(socket);
    Promise.resolve()
      // A hook that never settles (an auth service call without a timeout) would hold its
      // connection slot for good: past eventTimeoutMs the handshake is refused `unavailable`.
      .then(() =>
        withTimeout(options.authenticate(token, { handshake: socket.handshake }), eventTimeoutMs),
      )
      .then(
        (user) => {
          // Closed meanwhile: connected now, the socket would get no handlers (no hello, no acks).
          if (closed) return refuse('unavailable', 'server is closing');
          if (!user || typeof user.id !== 'string' || user.id.length === 0) {
            return refuse('unauthorized', 'invalid token');
          }
          if (user.expiresAt !== undefined && Number.isNaN(Number(user.expiresAt))) {
            // Accepted, the session would be dropped as expired at once, and the client would
            // reconnect into the same drop, again and again.
            onError(new TypeError('authenticate returned an expiresAt that is not a time'), {
              event: 'authenticate',
              userId: user.id,
            });
            return refuse('unauthorized', 'token expiry is not a time');
          }
          if (user.expiresAt !== undefined && user.expiresAt <= now()) {
            return refuse('unauthorized', 'token expired');
          }
          const session = createSession(socket.id, user);
          authenticated.set(socket, session);
          socket.data = {
            ...(isPlainObject(socket.data) ? socket.data : {}),
            [SOCKET_DATA_KEY]: { user: session.ref },
          };
          // Its client may have gone meanwhile (slot already free): Socket.IO drops it then.
          if (handshakes.has(socket.id)) void socket.join(HANDSHAKE_ROOM);
          next();
        },
        (error: unknown) => {
          onError(error, { event: 'authenticate' });
          refuse('unavailable', 'authentication failed');
        },
      )
      .catch((error: unknown) => onError(error, { event: 'handshake' }));
  });

  const onConnection = (socket: Socket) => {
    // Connected: nsp.sockets counts it from now on.
    releaseHandshake(socket.id);
    void socket.leave(HANDSHAKE_ROOM);
    const session = authenticated.get(socket);
    if (!session || closed) {
      socket.disconnect(true);
      return;
    }
    authenticated.delete(socket);
    sessions.set(socket.id, session);
    // Every session sits in its user's channel: notifications and other-tab sync go there.
    void socket.join(userChannel(session.user.id));
    // A user's spent bucket outlives a disconnect (reconnecting buys no budget); a socket's
    // never comes back.
    const rate =
      (perSocket
        ? limiter?.acquire(`socket:${socket.id}`, { linger: false })
        : limiter?.acquire(`user:${session.user.id}`)) ?? null;
    const bucket = rate?.bucket ?? null;
    let queue: Promise<unknown> = Promise.resolve();
    let expiryTimer: ReturnType<typeof setTimeout> | undefined;

    const reply = (ack: AckFn | undefined, result: AnyAck) => {
      if (!result.ok) count(errors, result.error.code);
      if (!ack) return;
      try {
        ack(result);
      } catch (error) {
        onError(error, { event: 'ack', userId: session.user.id });
      }
    };

    const on = <E extends ClientEvent>(event: E, handler: Handler<U, E>) => {
      const name: string = event;
      socket.on(name, (...args: unknown[]) => {
        const last = args[args.length - 1];
        const ack = typeof last === 'function' ? (args.pop() as AckFn) : undefined;
        if (bucket && !bucket.take()) {
          return reply(
            ack,
            ackError('rate_limited', 'too many events', { retryAfterMs: bucket.retryAfterMs() }),
          );
        }
        const [data, meta] = args;
        if (byteLength([data, meta], maxEventBytes) > maxEventBytes) {
          return reply(ack, ackError('too_large', `event is over ${maxEventBytes} bytes`));
        }
        let cid: string | undefined;
        if (isPlainObject(meta) && meta.cid !== undefined) {
          if (
            typeof meta.cid !== 'string' ||
            meta.cid.length > MAX_ID_LENGTH ||
            !ID_PATTERN.test(meta.cid)
          ) {
            return reply(ack, ackError('invalid', 'meta.cid is not a valid client id'));
          }
          cid = meta.cid;
        }
        const checked = validatePayload(schemas.client[event], data);
        if (!checked.ok) return reply(ack, checked);
        const payload = checked.value as ClientPayloads[E];
        // One event at a time per socket, so a send right after a join sees the join.
        const task = queue.then(() => withTimeout(handler(session, payload, cid), eventTimeoutMs));
        queue = task.then(
          (result) => reply(ack, result),
          (error: unknown) => {
            if (error instanceof InvalidCursorError) {
              return reply(ack, ackError('invalid', error.message));
            }
            if (error instanceof EventTimeoutError) {
              onError(error, { event, userId: session.user.id });
              return reply(ack, ackError('unavailable', 'the server took too long; retry'));
            }
            onError(error, { event, userId: session.user.id });
            reply(ack, ackError('internal', 'internal error'));
          },
        );
      });
    };

    socket.on(ClientEvents.ping, (...args: unknown[]) => {
      const last = args[args.length - 1];
      if (typeof last === 'function') (last as AckFn)(ackOk({ t: now() }));
    });
    on('chat:join', (s, p) => chat.join(s, p));
    on('chat:leave', (s, p) => chat.leave(s, p));
    on('chat:send', (s, p, cid) => chat.send(s, p, cid));
    on('chat:edit', (s, p) => chat.edit(s, p));
    on('chat:delete', (s, p) => chat.delete(s, p));
    on('chat:typing', (s, p) => chat.typing(s, p));
    on('chat:history', (s, p) => chat.history(s, p));
    on('chat:changes', (s, p) => chat.changes(s, p));
    on('notify:list', (s, p) => notifications.list(s, p));
    on('notify:read', (s, p) => notifications.read(s, p));
    on('notify:read-all', (s) => notifications.readAll(s));
    on('notify:dismiss', (s, p) => notifications.dismiss(s, p));

    const known = new Set<string>(Object.values(ClientEvents));
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && known.has(event)) return;
      const last = args[args.length - 1];
      const error: AckError = ackError('invalid', `unknown event ${String(event).slice(0, 64)}`);
      if (bucket) bucket.take();
      reply(typeof last === 'function' ? (last as AckFn) : undefined, error);
    });

    socket.emit(ServerEvents.hello, { protocol: PROTOCOL_VERSION, user: session.ref, limits });

    const expiresAt = session.user.expiresAt;
    if (expiresAt !== undefined) {
      const check = () => {
        const left = expiresAt - now();
        if (left > 0) {
          expiryTimer = setTimeout(check, Math.min(left, MAX_TIMER));
          return;
        }
        socket.emit(ServerEvents.error, { code: 'unauthorized', message: 'token expired' });
        socket.disconnect(true);
      };
      check();
    }

    socket.on('disconnect', () => {
      clearTimeout(expiryTimer);
      rate?.release();
      sessions.delete(socket.id);
      queue
        .then(() => chat.disconnect(session))
        .catch((error: unknown) =>
          onError(error, { event: 'disconnect', userId: session.user.id }),
        );
    });
  };
  nsp.on('connection', onConnection);

  return {
    io,
    namespace: nsp,
    store,
    chat,
    notifications,
    notify: (target, input) => notifications.notify(target, input),
    health() {
      const users = new Set<string>();
      const rooms = new Set<string>();
      for (const session of sessions.values()) {
        users.add(session.user.id);
        for (const room of session.rooms) rooms.add(room);
      }
      const namespaces: Record<string, number> = {};
      for (const [name, namespace] of io._nsps) namespaces[name] = namespace.sockets.size;
      const health: WirekitHealth = {
        status: closed ? 'closed' : 'ok',
        protocol: PROTOCOL_VERSION,
        uptimeMs: now() - startedAt,
        connections: nsp.sockets.size,
        maxConnections,
        users: users.size,
        rooms: rooms.size,
        namespaces,
        store: store.kind,
        counters: {
          messages: chat.messages,
          notifications: notifications.delivered,
          refused: { ...refused },
          errors: { ...errors },
          presenceBroadcasts: chat.presence.broadcasts,
        },
      };
      if (typeof process !== 'undefined' && typeof process.memoryUsage === 'function') {
        const { rss, heapUsed, heapTotal } = process.memoryUsage();
        health.memory = { rss, heapUsed, heapTotal };
      }
      return health;
    },
    async close() {
      if (closed) return;
      closed = true;
      retire();
      for (const socket of nsp.sockets.values()) {
        if (sessions.has(socket.id)) socket.disconnect(true);
      }
      sessions.clear();
      // Pending presence windows die with the server: no timer outlives close().
      chat.close();
      if (ownsStore) await store.close();
    },
  };
}
