import {
  createMemoryServer,
  createPool,
  memory,
  NetworkStatus,
  type ConnectionPool,
  type MemoryPeer,
  type MemoryServer,
  type Lease,
} from '@wirekit/core';
import {
  ackError,
  createSchemas,
  DEFAULT_LIMITS,
  PROTOCOL_VERSION,
  validatePayload,
  type ChatMessage,
  type ClientEventName,
  type NotificationInput,
  type ProtocolLimits,
} from '@wirekit/core/protocol';
import {
  ChatService,
  createSession,
  LocalHub,
  MemoryStore,
  NotificationService,
  type Session,
  type WirekitUser,
} from '@wirekit/server';

/** The user the stories sign in as. */
export const ALICE: WirekitUser = { id: 'alice', name: 'Alice' };
/** The simulated second user who answers in chat. */
export const BOB: WirekitUser = { id: 'bob', name: 'Bob' };

const USERS: Record<string, WirekitUser> = { alice: ALICE, bob: BOB };

/**
 * The browser's online signal, driven by the story instead of `window` events (Chromium's
 * offline emulation would cut the test runner off too).
 */
export class SimNetwork extends NetworkStatus {
  #online = true;

  override isOnline(): boolean {
    return this.#online;
  }

  /** Flips the signal and tells the connections, like `online` / `offline` events do. */
  set(online: boolean): void {
    if (online === this.#online) return;
    this.#online = online;
    for (const listener of [...this.listeners]) listener(online);
  }

  protected override onSubscribe(): void {}
  protected override onUnsubscribe(): void {}
}

/** Options of {@link createSim}. */
export interface SimOptions {
  /** Room the simulated second user sits in and answers. @default 'lobby' */
  room?: string;
  /** Whether Bob answers Alice's messages. @default true */
  replies?: boolean;
  /** How long Bob "types" before answering, in ms. @default 600 */
  replyDelay?: number;
  /** One-way latency of the memory transport, in ms. @default 0 */
  latency?: number;
  /** Whether the server accepts connections at the start. @default true */
  available?: boolean;
  /** Connection keys the server refuses (the client ends `failed` with `unauthorized`). */
  rejectKeys?: readonly string[];
  /** Connection keys the server closes right after each handshake (the client keeps reconnecting). */
  flakyKeys?: readonly string[];
  /** Base retry delay of the client, in ms; the monitor shows the countdown. @default 1000 */
  retryDelay?: number;
  /** How many of Alice's first sends the server refuses (shown failed, with Retry). @default 0 */
  refuseSends?: number;
  /** Server limits (validated like `attachWirekit` does), e.g. a larger `maxPageSize`. */
  limits?: Partial<ProtocolLimits>;
  /** Rooms with more users than this get counts only, no member list. @default 100 */
  presenceListLimit?: number;
}

type Handler = (session: Session, data: never, cid: string | undefined) => unknown;

/**
 * One story's world: the real chat and notification services of `@wirekit/server` on a
 * `LocalHub`, behind a core `MemoryServer`, a pool for the story's components (signed in as
 * Alice) and a second memory connection for Bob, who answers through the same server logic.
 */
export class Sim {
  readonly server: MemoryServer;
  readonly hub = new LocalHub();
  readonly store = new MemoryStore({ maxHistoryPerRoom: 20_000 });
  readonly chat: ChatService;
  readonly notifications: NotificationService;
  /** The pool to give the components (`setPool`). */
  readonly pool: ConnectionPool;
  readonly room: string;
  /** Alice's online signal. */
  readonly network = new SimNetwork();
  readonly #options: SimOptions;
  #serverUp = true;
  #online = true;
  readonly #bobPool: ConnectionPool;
  readonly #bobServer: MemoryServer;
  #bob: Lease | undefined;
  readonly #leases: Lease[] = [];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #seq = 0;
  #refuseSends = 0;
  readonly #limits: ProtocolLimits;
  readonly #schemas: ReturnType<typeof createSchemas>;

  constructor(options: SimOptions = {}) {
    this.#options = options;
    this.room = options.room ?? 'lobby';
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#refuseSends = options.refuseSends ?? 0;
    this.#schemas = createSchemas(this.#limits);
    this.server = createMemoryServer({
      latency: options.latency ?? 0,
      authenticate: (_auth, key) => !options.rejectKeys?.includes(key),
    });
    this.chat = new ChatService({
      store: this.store,
      hub: this.hub,
      typingThrottleMs: 500,
      ...(options.presenceListLimit !== undefined
        ? { presenceListLimit: options.presenceListLimit }
        : {}),
    });
    this.notifications = new NotificationService({ store: this.store, hub: this.hub });
    // Bob connects through a second server node on the same hub and services (as with a
    // scale-out adapter), so Alice going offline does not take him offline too.
    this.#bobServer = createMemoryServer({ latency: options.latency ?? 0 });
    // Peer ids are per server node: prefixed, they stay unique session ids on the shared hub.
    this.server.onConnection((peer) => this.#accept(peer, 'a'));
    this.#bobServer.onConnection((peer) => this.#accept(peer, 'b'));
    if (options.available === false) this.setServerUp(false);
    const retry = options.retryDelay ?? 1000;
    const poolFor = (user: WirekitUser, server: MemoryServer, network?: NetworkStatus) =>
      createPool({
        url: 'memory://wirekit',
        transport: memory(server),
        auth: () => ({ user: user.id }),
        heartbeat: false,
        idleTimeout: 0,
        backoff: { initialDelay: retry, maxDelay: retry * 4, jitter: 0 },
        ...(network ? { network } : {}),
      });
    this.pool = poolFor(ALICE, this.server, this.network);
    this.#bobPool = poolFor(BOB, this.#bobServer);
    if (options.replies !== false) this.#startBob();
  }

  /** Wires one memory connection to the services, like `attachWirekit` does for a socket. */
  #accept(peer: MemoryPeer, node: string): void {
    const userId = typeof peer.auth?.user === 'string' ? peer.auth.user : ALICE.id;
    const session = createSession(`${node}:${peer.id}`, USERS[userId] ?? { id: userId });
    if (this.#options.flakyKeys?.includes(peer.key)) {
      peer.close('Closed by the simulated server');
      return;
    }
    this.hub.add(session, (event, payload) => peer.emit(event, payload));
    const handlers: Record<string, Handler> = {
      'chat:join': (s, p) => this.chat.join(s, p),
      'chat:leave': (s, p) => this.chat.leave(s, p),
      'chat:send': (s, p, cid) => {
        if (this.#refuseSends > 0 && s.user.id === ALICE.id) {
          this.#refuseSends -= 1;
          return ackError('unavailable', 'Refused by the simulator');
        }
        return this.chat.send(s, p, cid);
      },
      'chat:edit': (s, p) => this.chat.edit(s, p),
      'chat:delete': (s, p) => this.chat.delete(s, p),
      'chat:typing': (s, p) => this.chat.typing(s, p),
      'chat:history': (s, p) => this.chat.history(s, p),
      'chat:changes': (s, p) => this.chat.changes(s, p),
      'notify:list': (s, p) => this.notifications.list(s, p),
      'notify:read': (s, p) => this.notifications.read(s, p),
      'notify:read-all': (s) => this.notifications.readAll(s),
      'notify:dismiss': (s, p) => this.notifications.dismiss(s, p),
    };
    // One event at a time per connection, so a send right after a join sees the join.
    let queue: Promise<unknown> = Promise.resolve();
    peer.onAny((event, data, meta, ack) => {
      if (event === 'wk:ping') return ack?.({ ok: true, t: Date.now() });
      const handler = handlers[event];
      if (!handler) return ack?.(ackError('invalid', `unknown event ${event.slice(0, 64)}`));
      // Validated against the server's limits, as attachWirekit does.
      const checked = validatePayload(this.#schemas.client[event as ClientEventName], data);
      if (!checked.ok) return ack?.(checked);
      queue = queue
        .then(() => handler(session, checked.value as never, meta?.cid))
        .then((reply) => ack?.(reply));
    });
    peer.onClose(() => {
      this.hub.remove(session.id);
      queue = queue.then(() => this.chat.disconnect(session));
    });
    peer.emit('wk:hello', {
      protocol: PROTOCOL_VERSION,
      user: session.ref,
      limits: this.#limits,
    });
  }

  /** Bob joins the room and answers every message from someone else, after "typing". */
  #startBob(): void {
    const lease = this.#bobPool.acquire(`bob:${this.room}`);
    this.#bob = lease;
    const bob = lease.connection;
    const join = () => void bob.send('chat:join', { room: this.room }, { ack: true }).catch(noop);
    join();
    // Rejoin after every reconnect: rooms live on the server session.
    let wasConnected = false;
    bob.subscribe(() => {
      const connected = bob.getSnapshot().state === 'connected';
      if (connected && !wasConnected) join();
      wasConnected = connected;
    });
    bob.on('chat:message', (data) => {
      const message = data as ChatMessage;
      if (message.user.id === BOB.id || message.room !== this.room) return;
      try {
        bob.send('chat:typing', { room: this.room, typing: true }, { volatile: true });
      } catch {
        // Volatile: dropped while offline, like a real typing indicator.
      }
      this.#later(() => {
        void bob
          .send('chat:send', { room: this.room, text: replyTo(message.text) }, { ack: true })
          .catch(noop);
      }, this.#options.replyDelay ?? 600);
    });
  }

  #later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  /** Pushes a notification to Alice through the server's `notify`. */
  notify(input: Partial<NotificationInput> = {}) {
    this.#seq += 1;
    return this.notifications.notify(ALICE.id, {
      title: `Notification ${this.#seq}`,
      body: 'Sent from the Storybook controls.',
      ...input,
    });
  }

  /** Adds `count` notifications for Alice at once (straight into the store, no toasts). */
  async seedNotifications(count: number, read = false): Promise<void> {
    const start = Date.now() - count * 60_000;
    for (let i = 1; i <= count; i++) {
      await this.store.addNotification(ALICE.id, {
        id: `seed-n${read ? 'r' : 'u'}${i}`,
        title: `Build #${i} finished`,
        body: i % 3 === 0 ? 'All checks passed.' : undefined,
        createdAt: start + i * 60_000,
        read: false,
      });
    }
    // The store files every new notification as unread.
    if (read) {
      const ids = Array.from({ length: count }, (_, i) => `seed-nr${i + 1}`);
      await this.store.markRead(ALICE.id, ids);
    }
  }

  /**
   * Stores `count` messages in the room, alternating Bob and Alice, a minute apart, ending now.
   * `texts` overrides the first texts.
   */
  async seedHistory(count: number, texts: readonly string[] = []): Promise<void> {
    const start = Date.now() - count * 60_000;
    for (let i = 0; i < count; i++) {
      const user = i % 3 === 2 ? ALICE : BOB;
      await this.store.appendMessage({
        id: `seed-m${i + 1}`,
        room: this.room,
        text: texts[i] ?? `Message ${i + 1} from ${user.name}`,
        user: { id: user.id, name: user.name ?? user.id },
        createdAt: start + i * 60_000,
      });
    }
  }

  /** The server refuses Alice's next `count` sends (the UI shows them failed, with Retry). */
  refuseNextSends(count = 1): void {
    this.#refuseSends += count;
  }

  /** Takes the server down (`false`: live links drop, reconnects fail and back off) or up. */
  setServerUp(up: boolean): void {
    this.#serverUp = up;
    this.#sync();
  }

  /**
   * Takes the browser offline (the link drops, the client waits for `online`) or back online
   * (the client reconnects at once instead of sitting out its backoff).
   */
  setOnline(online: boolean): void {
    // The memory transport has no network to lose: the server becomes unreachable instead.
    this.#online = online;
    this.#sync();
    this.network.set(online);
  }

  #sync(): void {
    const reachable = this.#serverUp && this.#online;
    if (reachable !== this.server.available) this.server.setAvailable(reachable);
    if (this.#serverUp !== this.#bobServer.available) this.#bobServer.setAvailable(this.#serverUp);
  }

  /** Sets the one-way latency of every message, in ms. */
  setLatency(ms: number): void {
    this.server.setLatency(ms);
    this.#bobServer.setLatency(ms);
  }

  /** Opens pooled connections on these keys (as components would) until the story ends. */
  hold(...keys: string[]): void {
    for (const key of keys) this.#leases.push(this.pool.acquire(key));
  }

  destroy(): void {
    for (const lease of this.#leases.splice(0)) lease.release();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#bob?.release();
    this.#bobPool.destroy();
    this.pool.destroy();
    this.chat.close(); // its presence timers
  }
}

function replyTo(text: string): string {
  const quote = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `Got it: “${quote}”`;
}

function noop(): void {}

/** What a story needs in its world: options plus data to seed (plain data, story parameters). */
export interface Scenario extends SimOptions {
  /** Messages in the room's history before the story renders. */
  messages?: number;
  /** Texts of the first seeded messages. */
  texts?: readonly string[];
  /** Unread notifications before the story renders. */
  notifications?: number;
  /** Already read notifications before the story renders. */
  readNotifications?: number;
  /** Pool keys to hold connections on. */
  hold?: readonly string[];
}

/** Seeds a sim as a scenario says. */
export async function applyScenario(sim: Sim, scenario: Scenario): Promise<void> {
  if (scenario.messages) await sim.seedHistory(scenario.messages, scenario.texts);
  if (scenario.readNotifications) await sim.seedNotifications(scenario.readNotifications, true);
  if (scenario.notifications) await sim.seedNotifications(scenario.notifications);
  if (scenario.hold) sim.hold(...scenario.hold);
}

/** Creates the world of one story. */
export function createSim(options?: SimOptions): Sim {
  return new Sim(options);
}
