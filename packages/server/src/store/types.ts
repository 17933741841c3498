import type { ChatMessage, Notification } from '@wirekit/core/protocol';

/** A message before the store assigned its per-room sequence number. */
export type NewMessage = Omit<ChatMessage, 'seq'>;

/** A change to a stored message: an edit, or a deletion (which empties the text). */
export type MessagePatch = { text: string; editedAt: number } | { deletedAt: number };

/** One page of a room's history, oldest first. */
export interface HistoryPage {
  messages: ChatMessage[];
  /** Pass as `before` to get the previous (older) page; `null` at the start of history. */
  nextCursor: string | null;
}

/** Messages edited or deleted after a room revision, oldest change first. */
export interface ChangesPage {
  /** The current state of each changed message still in history (once, however often changed). */
  messages: ChatMessage[];
  /** With `more`, the revision to ask from next; without it, the room's revision now. */
  rev: number;
  /** More changes than `limit` were found. */
  more: boolean;
}

/** One page of a user's notifications, newest first. */
export interface NotificationPage {
  items: Notification[];
  unread: number;
  /** Pass as `before` to get the next (older) page; `null` at the end. */
  nextCursor: string | null;
}

/** What {@link WirekitStore.deliverBroadcasts} added to a user's feed. */
export interface BroadcastDelivery {
  /** Added now, oldest first (unread). */
  delivered: Notification[];
  /** The user's unread count afterwards. */
  unread: number;
}

/** Options of {@link WirekitStore.appendMessage}. */
export interface AppendOptions {
  /** When set, a second append to the same room with the same key returns the first message instead. */
  dedupeKey?: string;
  /**
   * How long a dedupe key is remembered, in ms.
   * @default 86_400_000 (one day)
   */
  dedupeTtlMs?: number;
}

/** Result of {@link WirekitStore.appendMessage}. */
export interface AppendResult {
  message: ChatMessage;
  /** True when the dedupe key was seen before and nothing was stored. */
  duplicate: boolean;
}

/**
 * Where chat history and notifications live. One interface, two shipped
 * implementations: {@link MemoryStore} (default, one process) and
 * `RedisStore` from `@wirekit/server/redis` (shared by several processes).
 *
 * Cursors are the decimal `seq` of a message (history) or of a
 * notification (feed); they are opaque to clients.
 */
export interface WirekitStore {
  /** A short name for health output, e.g. `'memory'` or `'redis'`. */
  readonly kind: string;
  /** Stores a message, assigning the next `seq` of its room; dedupes by `dedupeKey`. */
  appendMessage(message: NewMessage, options?: AppendOptions): Promise<AppendResult>;
  /** A message by id, or `null` if it was never stored or has been trimmed. */
  getMessage(room: string, id: string): Promise<ChatMessage | null>;
  /**
   * Applies an edit or deletion atomically; `null` if the message does not exist or is deleted
   * already (a deleted message is never edited back to life, nor its deletion moved). The
   * result's `version` is one more than the stored one's (absent counts as 0): clients order
   * edits by it.
   */
  updateMessage(room: string, id: string, patch: MessagePatch): Promise<ChatMessage | null>;
  /** The `limit` newest messages older than `before` (all if unset), oldest first. */
  history(room: string, options: { before?: string; limit: number }): Promise<HistoryPage>;
  /**
   * The room's revision: a counter that every successful {@link updateMessage} bumps (0 before
   * the first). Optional, together with {@link changes}: a store without them still works,
   * but a client that rejoins does not learn of edits and deletions of older messages it holds.
   */
  revision?(room: string): Promise<number>;
  /** Messages changed after revision `since`, oldest change first; see {@link ChangesPage}. */
  changes?(room: string, options: { since: number; limit: number }): Promise<ChangesPage>;
  /** Adds an unread notification to a user's feed; resolves to the new unread count. */
  addNotification(userId: string, notification: Notification): Promise<number>;
  /** The `limit` newest notifications older than `before`, newest first, with the unread count. */
  listNotifications(
    userId: string,
    options: { before?: string; limit: number },
  ): Promise<NotificationPage>;
  /** Marks some (or all) notifications read; resolves to the unread count. Unknown ids are ignored. */
  markRead(userId: string, ids: readonly string[] | 'all'): Promise<number>;
  /** Removes notifications from a user's feed; resolves to the unread count. Unknown ids are ignored. */
  dismiss(userId: string, ids: readonly string[]): Promise<number>;
  /** The unread count of a user. */
  unreadCount(userId: string): Promise<number>;
  /**
   * Keeps a notification for every user (`notify('all')`), for users who connect later too;
   * the oldest are dropped past the store's bound. Optional, with {@link deliverBroadcasts}:
   * without them `'all'` reaches only the users connected at that moment.
   */
  addBroadcast?(notification: Notification): Promise<void>;
  /**
   * Adds to the user's feed the kept broadcasts created at or after `since` that this user
   * has not had yet, oldest first, as unread. Each broadcast reaches a user at most once, also
   * under concurrent calls, and one the user dismissed is not added again.
   */
  deliverBroadcasts?(userId: string, options: { since: number }): Promise<BroadcastDelivery>;
  /** Releases what the store owns (never a client that was passed in). */
  close(): Promise<void>;
}

/** Parses a cursor; `undefined` for none, `null` for a malformed one. */
export function parseCursor(cursor: string | undefined): number | undefined | null {
  if (cursor === undefined) return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(cursor)) return null;
  return Number(cursor);
}

/** Thrown by a store for a malformed cursor; the server answers `invalid`. */
export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`invalid cursor: ${cursor.slice(0, 64)}`);
    this.name = 'InvalidCursorError';
  }
}

/** Parses a cursor or throws {@link InvalidCursorError}. */
export function requireCursor(cursor: string | undefined): number {
  const parsed = parseCursor(cursor);
  if (parsed === null) throw new InvalidCursorError(cursor ?? '');
  return parsed ?? Number.POSITIVE_INFINITY;
}
