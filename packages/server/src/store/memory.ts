import type { ChatMessage, Notification } from '@wirekit/core/protocol';
import {
  requireCursor,
  type AppendOptions,
  type AppendResult,
  type BroadcastDelivery,
  type ChangesPage,
  type HistoryPage,
  type MessagePatch,
  type NewMessage,
  type NotificationPage,
  type WirekitStore,
} from './types.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Messages kept per room; older ones are dropped.
   * @default 1000
   */
  maxHistoryPerRoom?: number;
  /**
   * Rooms kept; the least recently written room is dropped past it.
   * @default 10_000
   */
  maxRooms?: number;
  /**
   * Notifications kept per user; older ones are dropped.
   * @default 200
   */
  maxNotificationsPerUser?: number;
  /**
   * Users whose feed is kept; the least recently written feed is dropped past it (with its
   * broadcast mark: that user gets the kept broadcasts again). Every user who connects while
   * broadcasts are kept gets a feed, so without a bound they would grow with every new user.
   * @default 100_000
   */
  maxFeeds?: number;
  /**
   * Broadcasts (`notify('all')`) kept for users who connect later; older ones are dropped. At
   * least 1 (the newest is how connected users get it).
   * @default 100
   */
  maxBroadcasts?: number;
  /**
   * Dedupe keys remembered at most (oldest forgotten first).
   * @default 100_000
   */
  maxDedupeKeys?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

interface RoomState {
  seq: number;
  messages: ChatMessage[];
  /** Bumped by every edit and deletion. */
  rev: number;
  /** Message id → revision of its last change; in revision order (re-inserted on change). */
  changed: Map<string, number>;
}

interface FeedState {
  seq: number;
  /** Oldest first. */
  items: { seq: number; notification: Omit<Notification, 'read'> }[];
  unread: Set<string>;
  /** The newest broadcast (by its `seq`) this user has had. */
  broadcastSeq: number;
}

const DAY = 86_400_000;

/**
 * The embedded default store: everything in this process's memory, bounded
 * per room and per user. History is lost on restart and not shared between
 * processes; use the Redis store for that.
 *
 * @example
 * attachWirekit(io, { authenticate, store: new MemoryStore({ maxHistoryPerRoom: 500 }) });
 */
export class MemoryStore implements WirekitStore {
  readonly kind = 'memory';
  readonly #rooms = new Map<string, RoomState>();
  readonly #feeds = new Map<string, FeedState>();
  readonly #dedupe = new Map<string, { message: ChatMessage; expires: number }>();
  readonly #maxHistory: number;
  readonly #maxRooms: number;
  readonly #maxNotifications: number;
  readonly #maxFeeds: number;
  readonly #broadcasts: { seq: number; notification: Omit<Notification, 'read'> }[] = [];
  #broadcastSeq = 0;
  readonly #maxBroadcasts: number;
  readonly #maxDedupe: number;
  readonly #now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxHistory = options.maxHistoryPerRoom ?? 1000;
    this.#maxRooms = options.maxRooms ?? 10_000;
    this.#maxNotifications = options.maxNotificationsPerUser ?? 200;
    this.#maxFeeds = options.maxFeeds ?? 100_000;
    // At least the newest: with none kept, `notify('all')` would reach nobody, not even the
    // users connected now (use `broadcastTtlMs: 0` to not reach later ones).
    this.#maxBroadcasts = Math.max(1, options.maxBroadcasts ?? 100);
    this.#maxDedupe = options.maxDedupeKeys ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  /** Rooms and messages held, for health output. */
  stats(): { rooms: number; messages: number; feeds: number } {
    let messages = 0;
    for (const room of this.#rooms.values()) messages += room.messages.length;
    return { rooms: this.#rooms.size, messages, feeds: this.#feeds.size };
  }

  async appendMessage(message: NewMessage, options: AppendOptions = {}): Promise<AppendResult> {
    const now = this.#now();
    // Per room, as in Redis (where the key lives under the room's hash tag).
    const key =
      options.dedupeKey === undefined ? undefined : `${message.room}\u0000${options.dedupeKey}`;
    if (key !== undefined) {
      const seen = this.#dedupe.get(key);
      if (seen && seen.expires > now)
        return { message: structuredClone(seen.message), duplicate: true };
      this.#dedupe.delete(key);
    }
    let room = this.#rooms.get(message.room);
    if (room) {
      // Re-insert so Map order is least-recently-written first.
      this.#rooms.delete(message.room);
    } else {
      room = { seq: 0, messages: [], rev: 0, changed: new Map() };
    }
    this.#rooms.set(message.room, room);
    if (this.#rooms.size > this.#maxRooms) {
      const oldest = this.#rooms.keys().next().value;
      if (oldest !== undefined) this.#rooms.delete(oldest);
    }
    room.seq += 1;
    const stored: ChatMessage = { ...structuredClone(message), seq: room.seq };
    room.messages.push(stored);
    if (room.messages.length > this.#maxHistory) {
      const trimmed = room.messages.splice(0, room.messages.length - this.#maxHistory);
      for (const old of trimmed) room.changed.delete(old.id);
    }
    if (key !== undefined) {
      this.#dedupe.set(key, { message: stored, expires: now + (options.dedupeTtlMs ?? DAY) });
      if (this.#dedupe.size > this.#maxDedupe) {
        const oldest = this.#dedupe.keys().next().value;
        if (oldest !== undefined) this.#dedupe.delete(oldest);
      }
    }
    return { message: structuredClone(stored), duplicate: false };
  }

  async getMessage(room: string, id: string): Promise<ChatMessage | null> {
    const found = this.#rooms.get(room)?.messages.find((m) => m.id === id);
    return found ? structuredClone(found) : null;
  }

  async updateMessage(room: string, id: string, patch: MessagePatch): Promise<ChatMessage | null> {
    const state = this.#rooms.get(room);
    const index = state?.messages.findIndex((m) => m.id === id) ?? -1;
    const current = index >= 0 ? state?.messages[index] : undefined;
    if (!state || !current || current.deletedAt !== undefined) return null;
    const version = (current.version ?? 0) + 1;
    const next: ChatMessage =
      'deletedAt' in patch
        ? { ...current, text: '', deletedAt: patch.deletedAt, version }
        : { ...current, text: patch.text, editedAt: patch.editedAt, version };
    state.messages[index] = next;
    state.rev += 1;
    state.changed.delete(id);
    state.changed.set(id, state.rev);
    return structuredClone(next);
  }

  async revision(room: string): Promise<number> {
    return this.#rooms.get(room)?.rev ?? 0;
  }

  async changes(room: string, options: { since: number; limit: number }): Promise<ChangesPage> {
    const state = this.#rooms.get(room);
    if (!state) return { messages: [], rev: 0, more: false };
    const ids: string[] = [];
    let rev = state.rev;
    let more = false;
    for (const [id, changedAt] of state.changed) {
      if (changedAt <= options.since) continue;
      if (ids.length === options.limit) {
        more = true;
        break;
      }
      ids.push(id);
      rev = changedAt;
    }
    if (!more) rev = state.rev;
    const byId = new Map(state.messages.map((m) => [m.id, m]));
    const messages = ids.flatMap((id) => {
      const message = byId.get(id);
      return message ? [structuredClone(message)] : [];
    });
    return { messages, rev, more };
  }

  async history(room: string, options: { before?: string; limit: number }): Promise<HistoryPage> {
    const before = requireCursor(options.before);
    const messages = this.#rooms.get(room)?.messages ?? [];
    // Messages are sorted by seq: find the first one at or after `before`.
    let end = messages.length;
    while (end > 0 && (messages[end - 1]?.seq ?? 0) >= before) end -= 1;
    const start = Math.max(0, end - options.limit);
    const page = messages.slice(start, end);
    return {
      messages: structuredClone(page),
      nextCursor: start > 0 && page[0] ? String(page[0].seq) : null,
    };
  }

  /** The user's feed for a write: created if needed, and made the most recently written. */
  #feed(userId: string): FeedState {
    let feed = this.#feeds.get(userId);
    if (feed) {
      // Re-insert so Map order is least-recently-written first.
      this.#feeds.delete(userId);
    } else {
      feed = { seq: 0, items: [], unread: new Set(), broadcastSeq: 0 };
    }
    this.#feeds.set(userId, feed);
    if (this.#feeds.size > this.#maxFeeds) {
      const oldest = this.#feeds.keys().next().value;
      if (oldest !== undefined) this.#feeds.delete(oldest);
    }
    return feed;
  }

  async addNotification(userId: string, notification: Notification): Promise<number> {
    const feed = this.#feed(userId);
    const { read: _read, ...rest } = notification;
    this.#add(feed, rest);
    return feed.unread.size;
  }

  #add(feed: FeedState, notification: Omit<Notification, 'read'>): void {
    feed.seq += 1;
    feed.items.push({ seq: feed.seq, notification: structuredClone(notification) });
    feed.unread.add(notification.id);
    while (feed.items.length > this.#maxNotifications) {
      const dropped = feed.items.shift();
      if (dropped) feed.unread.delete(dropped.notification.id);
    }
  }

  async addBroadcast(notification: Notification): Promise<void> {
    const { read: _read, ...rest } = structuredClone(notification);
    this.#broadcasts.push({ seq: ++this.#broadcastSeq, notification: rest });
    if (this.#broadcasts.length > this.#maxBroadcasts) this.#broadcasts.shift();
  }

  async deliverBroadcasts(userId: string, options: { since: number }): Promise<BroadcastDelivery> {
    const newest = this.#broadcasts.at(-1);
    const had = this.#feeds.get(userId)?.broadcastSeq ?? 0;
    if (!newest || newest.seq <= had)
      return { delivered: [], unread: await this.unreadCount(userId) };
    const feed = this.#feed(userId);
    const delivered: Notification[] = [];
    for (const { seq, notification } of this.#broadcasts) {
      if (seq <= had || notification.createdAt < options.since) continue;
      this.#add(feed, notification);
      delivered.push({ ...structuredClone(notification), read: false });
    }
    feed.broadcastSeq = newest.seq;
    return { delivered, unread: feed.unread.size };
  }

  async listNotifications(
    userId: string,
    options: { before?: string; limit: number },
  ): Promise<NotificationPage> {
    const before = requireCursor(options.before);
    const feed = this.#feeds.get(userId);
    if (!feed) return { items: [], unread: 0, nextCursor: null };
    const items: Notification[] = [];
    let last = 0;
    let more = false;
    for (let i = feed.items.length - 1; i >= 0; i--) {
      const entry = feed.items[i];
      if (!entry || entry.seq >= before) continue;
      if (items.length === options.limit) {
        more = true;
        break;
      }
      items.push({
        ...structuredClone(entry.notification),
        read: !feed.unread.has(entry.notification.id),
      });
      last = entry.seq;
    }
    return { items, unread: feed.unread.size, nextCursor: more ? String(last) : null };
  }

  async markRead(userId: string, ids: readonly string[] | 'all'): Promise<number> {
    const feed = this.#feeds.get(userId);
    if (!feed) return 0;
    if (ids === 'all') feed.unread.clear();
    else for (const id of ids) feed.unread.delete(id);
    return feed.unread.size;
  }

  async dismiss(userId: string, ids: readonly string[]): Promise<number> {
    const feed = this.#feeds.get(userId);
    if (!feed) return 0;
    const gone = new Set(ids);
    feed.items = feed.items.filter((entry) => !gone.has(entry.notification.id));
    for (const id of ids) feed.unread.delete(id);
    return feed.unread.size;
  }

  async unreadCount(userId: string): Promise<number> {
    return this.#feeds.get(userId)?.unread.size ?? 0;
  }

  async close(): Promise<void> {
    this.#rooms.clear();
    this.#feeds.clear();
    this.#dedupe.clear();
  }
}
