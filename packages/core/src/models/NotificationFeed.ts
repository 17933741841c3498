import type { Connection } from '../connection/Connection.js';
import type { ConnectionState } from '../connection/types.js';
import type { WirekitError } from '../errors.js';
import { type Clock, systemClock, Timers } from '../internal/clock.js';
import { Disposers } from '../internal/disposers.js';
import type { WireError } from '../protocol/errors.js';
import { ClientEvents, ServerEvents } from '../protocol/events.js';
import { DEFAULT_LIMITS, DEFAULT_PAGE_SIZE } from '../protocol/limits.js';
import { schemas } from '../protocol/schemas.js';
import type { Notification, ServerPayloads } from '../protocol/types.js';
import { BatchedModel } from './BatchedModel.js';
import type { BatchScheduler } from './frameScheduler.js';
import { numberOption } from './options.js';
import { isWireCode, request, toWirekitError } from './request.js';

/** A notification shown briefly as a toast. */
export interface Toast {
  /** The notification's id. */
  readonly id: string;
  readonly notification: Notification;
  /** Epoch ms of the auto-dismiss, `null` while paused (hovered, focused) or with no timeout. */
  readonly expiresAt: number | null;
}

/** An immutable picture of the feed; a new object after every change. */
export interface NotificationFeedSnapshot {
  /** `ready` stays while offline: the last list is still shown. */
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
  /** Newest first. */
  readonly items: readonly Notification[];
  /** The server's unread count (optimistically adjusted by local reads). */
  readonly unread: number;
  /** Oldest first. */
  readonly toasts: readonly Toast[];
  /** More (older) items exist on the server (`loadMore()`). */
  readonly hasMore: boolean;
  readonly loadingMore: boolean;
  readonly connection: ConnectionState;
  readonly error: WireError | WirekitError | null;
}

export interface NotificationFeedOptions {
  /** Ms a toast stays; `0` or `Infinity` keeps it until dismissed. @default 5000 */
  toastDuration?: number;
  /** Toasts shown at once; the oldest goes first. @default 3 */
  maxToasts?: number;
  /** Items per page. @default 50 */
  pageSize?: number;
  /**
   * Most items kept; past it the oldest are dropped and paging ends there. Keep it at least
   * the server's retention per user (`maxNotificationsPerUser`, 200 by default), so what is
   * dropped is no longer on the server anyway. @default 1000
   */
  maxItems?: number;
  /** @default frameScheduler */
  scheduler?: BatchScheduler;
  clock?: Clock;
}

type Payload<E extends keyof ServerPayloads> = ServerPayloads[E];

/**
 * Started feeds per connection. The server tells a user's other sessions about a read or a
 * dismissal, not the session that made it: feeds sharing one (a bell and a page) tell each other.
 */
const views = new WeakMap<Connection, Set<NotificationFeed>>();

interface ToastEntry {
  notification: Notification;
  expiresAt: number | null;
  /** Ms left when paused. */
  remaining: number;
  cancel: (() => void) | undefined;
}

/**
 * The current user's notifications: list, unread count (kept in step across tabs by the
 * server), optimistic mark read / all read / dismiss, and toasts for new ones.
 *
 * @example
 * const feed = createNotificationFeed(lease.connection, { toastDuration: 8000 });
 * feed.subscribe((s) => (badge.textContent = String(s.unread)));
 * feed.start();
 */
export class NotificationFeed extends BatchedModel<NotificationFeedSnapshot> {
  readonly #connection: Connection;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #subs = new Disposers();
  readonly #toastDuration: number;
  readonly #maxToasts: number;
  readonly #pageSize: number;

  #status: NotificationFeedSnapshot['status'] = 'idle';
  #error: WireError | WirekitError | null = null;
  #connectionState: ConnectionState;
  /** The list as last built, newest first. Read and replace it through `#items`. */
  #settled: readonly Notification[] = Object.freeze([]);
  /** Ids of `#settled`, built on demand (dedupe of pushes); dropped when it is replaced. */
  #settledIds: Set<string> | undefined;
  /**
   * Pushed since the list was last read, oldest first. A burst of pushes costs O(1) each and
   * one merge per snapshot (once per frame), not a copy of the whole list per notification.
   */
  #fresh: Notification[] = [];
  readonly #freshIds = new Set<string>();
  #unread = 0;
  /**
   * Counts the server sent so far. A refused change undoes its optimistic step only if none came
   * meanwhile: one that did already counts what the server holds, the refused change not in it.
   */
  #counts = 0;
  #pushedDuringLoad: Notification[] | null = null;
  /**
   * Reads and dismissals made here or heard from other tabs while the list is in flight: its
   * answer may have been read before them, and must not bring them back.
   */
  #changedDuringLoad: { read: Set<string>; allRead: boolean; dismissed: Set<string> } | null = null;
  #cursor: string | null = null;
  #hasMore = false;
  #loadingMore = false;
  readonly #toasts = new Map<string, ToastEntry>();
  #toastList: readonly Toast[] | undefined;
  #started = false;
  #disposed = false;
  #epoch = 0;
  readonly #maxItems: number;
  /** Times the list was cut at `maxItems`: a page requested before a cut would leave a gap. */
  #trims = 0;

  constructor(connection: Connection, options: NotificationFeedOptions = {}) {
    super(options.scheduler);
    this.#connection = connection;
    this.#clock = options.clock ?? systemClock;
    this.#timers = new Timers(this.#clock);
    this.#toastDuration = numberOption(options.toastDuration, 5000);
    this.#maxToasts = Math.max(1, numberOption(options.maxToasts, 3));
    this.#pageSize = Math.max(
      1,
      Math.min(DEFAULT_LIMITS.maxPageSize, numberOption(options.pageSize, DEFAULT_PAGE_SIZE)),
    );
    this.#maxItems = Math.max(this.#pageSize, numberOption(options.maxItems, 1000));
    this.#connectionState = connection.getSnapshot().state;
  }

  /** The list, newest first, with pending pushes merged in (and the oldest past `maxItems` dropped). */
  get #items(): readonly Notification[] {
    if (this.#fresh.length > 0) {
      const merged = [...this.#fresh.reverse(), ...this.#settled];
      if (this.#settledIds) for (const id of this.#freshIds) this.#settledIds.add(id);
      this.#fresh = [];
      this.#freshIds.clear();
      if (merged.length > this.#maxItems) {
        // A long-lived tab under a stream of notifications must not grow without bound.
        merged.length = this.#maxItems;
        this.#settledIds = undefined;
        this.#cursor = null;
        this.#hasMore = false;
        this.#trims += 1;
      }
      this.#settled = Object.freeze(merged);
    }
    return this.#settled;
  }

  set #items(items: readonly Notification[]) {
    this.#settled = items;
    this.#settledIds = undefined;
    this.#fresh = [];
    this.#freshIds.clear();
  }

  #has(id: string): boolean {
    if (this.#freshIds.has(id)) return true;
    this.#settledIds ??= new Set(this.#settled.map((n) => n.id));
    return this.#settledIds.has(id);
  }

  protected build(): NotificationFeedSnapshot {
    this.#toastList ??= Object.freeze(
      [...this.#toasts.entries()].map(([id, t]) =>
        Object.freeze({ id, notification: t.notification, expiresAt: t.expiresAt }),
      ),
    );
    return Object.freeze({
      status: this.#status,
      items: this.#items,
      unread: this.#unread,
      toasts: this.#toastList,
      hasMore: this.#hasMore,
      loadingMore: this.#loadingMore,
      connection: this.#connectionState,
      error: this.#error,
    });
  }

  /** Pending timers (toasts); 0 after `dispose()`. */
  get timers(): number {
    return this.#timers.size;
  }

  /** Listens for news and loads the list (now if connected, else on connect, and after every reconnect). */
  start(): void {
    if (this.#started || this.#disposed) return;
    this.#started = true;
    let same = views.get(this.#connection);
    if (!same) views.set(this.#connection, (same = new Set()));
    same.add(this);
    this.#on(ServerEvents.notifyNew, (e) => this.#new(e));
    this.#on(ServerEvents.notifyUnread, (e) => this.#sync(e));
    this.#subs.add(this.#connection.subscribe((s) => this.#onConnection(s.state)));
    this.#onConnection(this.#connection.getSnapshot().state, true);
  }

  /** Releases every listener and timer. Queued marks still reach the server. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    views.get(this.#connection)?.delete(this);
    this.#epoch += 1;
    this.#subs.drain();
    this.#timers.clearAll();
    this.#toasts.clear();
    this.teardown();
  }

  /** Marks notifications read: at once here, then on the server (queued while offline). */
  async markRead(id: string | string[]): Promise<void> {
    const ids = [...new Set(typeof id === 'string' ? [id] : id)];
    if (ids.length === 0) return;
    const wanted = new Set(ids);
    for (const one of ids) this.#changedDuringLoad?.read.add(one);
    const flipped = new Set(
      this.#items.filter((n) => wanted.has(n.id) && !n.read).map((n) => n.id),
    );
    this.#setRead(flipped, true);
    const dropped = Math.min(this.#unread, flipped.size);
    this.#unread -= dropped;
    const counts = this.#counts;
    this.changed(true);
    for (let i = 0; i < ids.length; i += DEFAULT_LIMITS.maxBatchSize) {
      const batch = ids.slice(i, i + DEFAULT_LIMITS.maxBatchSize);
      const res = await request(
        this.#connection,
        ClientEvents.notifyRead,
        { ids: batch },
        schemas.results['notify:read'],
      );
      if (this.#disposed) return;
      if (!res.ok) {
        // Earlier batches were marked on the server: revert only this one and the rest.
        const left = new Set(ids.slice(i).filter((one) => flipped.has(one)));
        this.#setRead(left, false);
        if (this.#counts === counts) this.#unread += dropped;
        this.changed(true);
        throw toWirekitError(res.error);
      }
      this.#serverUnread(res.value.unread);
      this.#tellOthers({ unread: res.value.unread, read: batch });
    }
    this.changed(true);
  }

  /** Marks everything read, here at once and then on the server. */
  async markAllRead(): Promise<void> {
    const flipped = new Set(this.#items.filter((n) => !n.read).map((n) => n.id));
    const before = this.#unread;
    if (this.#changedDuringLoad) this.#changedDuringLoad.allRead = true;
    this.#setRead(flipped, true);
    this.#unread = 0;
    const counts = this.#counts;
    this.changed(true);
    const res = await request(
      this.#connection,
      ClientEvents.notifyReadAll,
      {},
      schemas.results['notify:read-all'],
    );
    if (this.#disposed) return;
    if (!res.ok) {
      this.#setRead(flipped, false);
      if (this.#counts === counts) this.#unread = before;
      this.changed(true);
      throw toWirekitError(res.error);
    }
    this.#serverUnread(res.value.unread);
    this.changed(true);
    this.#tellOthers({ unread: res.value.unread, allRead: true });
  }

  /** Removes a notification (and its toast), here at once and then on the server. */
  async dismiss(id: string): Promise<void> {
    const index = this.#items.findIndex((n) => n.id === id);
    const removed = this.#items[index];
    this.#changedDuringLoad?.dismissed.add(id);
    const dropped = removed && !removed.read && this.#unread > 0 ? 1 : 0;
    if (removed) this.#items = Object.freeze(this.#items.filter((n) => n.id !== id));
    this.#unread -= dropped;
    const counts = this.#counts;
    this.#dropToast(id);
    this.changed(true);
    const res = await request(
      this.#connection,
      ClientEvents.notifyDismiss,
      { ids: [id] },
      schemas.results['notify:dismiss'],
    );
    if (this.#disposed) return;
    if (!res.ok) {
      if (removed && !this.#items.some((n) => n.id === id)) {
        const items = [...this.#items];
        items.splice(Math.min(index, items.length), 0, removed);
        this.#items = Object.freeze(items);
      }
      if (this.#counts === counts) this.#unread += dropped;
      this.changed(true);
      throw toWirekitError(res.error);
    }
    this.#serverUnread(res.value.unread);
    this.changed(true);
    this.#tellOthers({ unread: res.value.unread, dismissed: [id] });
  }

  /** Hides a toast (the notification stays in the list). */
  dismissToast(id: string): void {
    if (this.#dropToast(id)) this.changed(true);
  }

  /** Stops a toast's countdown (hover, focus). */
  pauseToast(id: string): void {
    const toast = this.#toasts.get(id);
    if (!toast || toast.expiresAt === null) return;
    toast.cancel?.();
    toast.cancel = undefined;
    toast.remaining = Math.max(0, toast.expiresAt - this.#clock.now());
    toast.expiresAt = null;
    this.#toastList = undefined;
    this.changed(true);
  }

  /** Restarts a paused toast's countdown with the time it had left. */
  resumeToast(id: string): void {
    const toast = this.#toasts.get(id);
    if (!toast || toast.expiresAt !== null || !Number.isFinite(toast.remaining)) return;
    this.#arm(id, toast, toast.remaining);
    this.changed(true);
  }

  /** Loads the next (older) page. Never rejects: a failure lands in `error`. */
  async loadMore(): Promise<void> {
    if (!this.#hasMore || this.#loadingMore || this.#cursor === null || this.#disposed) return;
    this.#loadingMore = true;
    this.changed(true);
    const epoch = this.#epoch;
    const trims = this.#trims;
    const res = await request(
      this.#connection,
      ClientEvents.notifyList,
      { before: this.#cursor, limit: this.#pageSize },
      schemas.results['notify:list'],
    );
    if (this.#disposed) return;
    this.#loadingMore = false;
    if (epoch !== this.#epoch) return this.changed(true); // the list was reloaded meanwhile
    if (!res.ok) {
      this.#error = res.error;
      return this.changed(true);
    }
    const known = new Set(this.#items.map((n) => n.id));
    if (trims !== this.#trims) return this.changed(true); // cut meanwhile: paging ended there
    this.#items = Object.freeze([
      ...this.#items,
      ...res.value.items.filter((n) => !known.has(n.id)).map(freeze),
    ]);
    this.#cursor = res.value.nextCursor;
    this.#hasMore = res.value.nextCursor !== null;
    this.#serverUnread(res.value.unread);
    this.changed(true);
  }

  // --- internals ------------------------------------------------------------------------

  #onConnection(state: ConnectionState, initial = false): void {
    const was = this.#connectionState;
    this.#connectionState = state;
    if (state === 'connected' && (initial || was !== 'connected')) void this.#load();
    else if (initial && state !== 'idle' && this.#status === 'idle') this.#status = 'loading';
    if (state !== was || initial) this.changed(false);
  }

  /**
   * (Re)loads the first page; what was shown stays until the answer arrives. After a reconnect,
   * older pages loaded before stay too when the new first page overlaps them.
   */
  async #load(): Promise<void> {
    const epoch = ++this.#epoch;
    const before =
      this.#status === 'ready'
        ? { items: this.#items, cursor: this.#cursor, hasMore: this.#hasMore }
        : null;
    // Pushes that land while the list is in flight may be missing from its answer.
    this.#pushedDuringLoad = [];
    this.#changedDuringLoad = { read: new Set(), allRead: false, dismissed: new Set() };
    if (this.#status !== 'ready') this.#status = 'loading';
    this.changed(false);
    const res = await request(
      this.#connection,
      ClientEvents.notifyList,
      { limit: this.#pageSize },
      schemas.results['notify:list'],
    );
    if (this.#disposed || epoch !== this.#epoch) return;
    const pushedDuringLoad = this.#pushedDuringLoad ?? [];
    this.#pushedDuringLoad = null;
    const changed = this.#changedDuringLoad;
    this.#changedDuringLoad = null;
    if (!res.ok) {
      this.#error = res.error;
      if (isWireCode(res.error, 'rate_limited')) {
        // Not a refusal: the user's tabs and rooms reconnecting at once spent their budget.
        const delay = Math.max(
          100,
          ('retryAfterMs' in res.error && res.error.retryAfterMs) || 1000,
        );
        this.#timers.set(() => {
          if (epoch === this.#epoch && this.#connection.state === 'connected') void this.#load();
        }, delay);
      } else if (this.#status !== 'ready') this.#status = 'error';
      return this.changed(false);
    }
    const listed = res.value.items.map(freeze);
    const pushed = pushedDuringLoad.filter((n) => !listed.some((l) => l.id === n.id));
    let older = before && res.value.nextCursor !== null ? keptOlder(before.items, listed) : [];
    // Kept items may have been read elsewhere while we were away: the server's count says so
    // when they show more unread than it has left beyond the page. All read when nothing is
    // left; else we cannot tell which, and page again from the new first page.
    const left = res.value.unread - listed.filter((n) => !n.read).length;
    if (older.filter((n) => !n.read).length > Math.max(0, left)) {
      older = left <= 0 ? older.map((n) => (n.read ? n : freeze({ ...n, read: true }))) : [];
    }
    this.#items = Object.freeze(
      [...pushed, ...listed, ...older]
        .filter((n) => !changed?.dismissed.has(n.id))
        .map((n) =>
          !n.read && (changed?.allRead || changed?.read.has(n.id))
            ? freeze({ ...n, read: true })
            : n,
        ),
    );
    this.#serverUnread(
      pushed.length > 0 ? Math.max(res.value.unread, this.#unread) : res.value.unread,
    );
    // Kept older items: paging goes on from where it stood before the reload.
    this.#cursor = older.length > 0 ? before!.cursor : res.value.nextCursor;
    this.#hasMore = older.length > 0 ? before!.hasMore : res.value.nextCursor !== null;
    this.#status = 'ready';
    this.#error = null;
    this.changed(false);
  }

  #on<E extends keyof ServerPayloads>(event: E, handler: (data: Payload<E>) => void): void {
    this.#subs.add(
      this.#connection.on(event, (data) => handler(data as Payload<E>), {
        schema: schemas.server[event],
      }),
    );
  }

  #new(event: Payload<'notify:new'>): void {
    const notification = freeze(event.notification);
    this.#serverUnread(event.unread);
    this.#pushedDuringLoad?.unshift(notification);
    if (!this.#has(notification.id)) {
      this.#fresh.push(notification);
      this.#freshIds.add(notification.id);
      this.#toast(notification);
    }
    this.changed(false);
  }

  #tellOthers(event: Payload<'notify:unread'>): void {
    for (const view of views.get(this.#connection) ?? []) {
      if (view !== this) view.#sync(event);
    }
  }

  /** Another tab of this user read or dismissed something. */
  #sync(event: Payload<'notify:unread'>): void {
    this.#serverUnread(event.unread);
    const during = this.#changedDuringLoad;
    if (during) {
      during.allRead ||= event.allRead === true;
      for (const id of event.read ?? []) during.read.add(id);
      for (const id of event.dismissed ?? []) during.dismissed.add(id);
    }
    if (event.allRead) this.#setRead(new Set(this.#items.map((n) => n.id)), true);
    if (event.read) this.#setRead(new Set(event.read), true);
    if (event.dismissed) {
      const gone = new Set(event.dismissed);
      this.#items = Object.freeze(this.#items.filter((n) => !gone.has(n.id)));
      for (const id of gone) this.#dropToast(id);
    }
    this.changed(false);
  }

  #serverUnread(unread: number): void {
    this.#unread = unread;
    this.#counts += 1;
  }

  #setRead(ids: ReadonlySet<string>, read: boolean): void {
    if (ids.size === 0) return;
    this.#items = Object.freeze(
      this.#items.map((n) => (ids.has(n.id) && n.read !== read ? freeze({ ...n, read }) : n)),
    );
  }

  #toast(notification: Notification): void {
    const entry: ToastEntry = {
      notification,
      expiresAt: null,
      remaining: this.#toastDuration,
      cancel: undefined,
    };
    this.#toasts.set(notification.id, entry);
    if (this.#toastDuration > 0 && Number.isFinite(this.#toastDuration)) {
      this.#arm(notification.id, entry, this.#toastDuration);
    } else {
      entry.remaining = Infinity;
    }
    while (this.#toasts.size > this.#maxToasts) {
      const oldest = this.#toasts.keys().next().value as string;
      this.#dropToast(oldest);
    }
    this.#toastList = undefined;
  }

  #arm(id: string, entry: ToastEntry, ms: number): void {
    entry.cancel?.();
    entry.expiresAt = this.#clock.now() + ms;
    entry.cancel = this.#timers.set(() => {
      entry.cancel = undefined;
      if (this.#dropToast(id)) this.changed(false);
    }, ms);
    this.#toastList = undefined;
  }

  #dropToast(id: string): boolean {
    const toast = this.#toasts.get(id);
    if (!toast) return false;
    toast.cancel?.();
    this.#toasts.delete(id);
    this.#toastList = undefined;
    return true;
  }
}

/**
 * The items of `shown` older than the reloaded first page, when that page overlaps them: the
 * overlap proves nothing lies between the page and the kept items (new notifications only
 * arrive on top). Without overlap (many arrived while offline), paging restarts from the page.
 */
function keptOlder(shown: readonly Notification[], page: readonly Notification[]) {
  const ids = new Set(page.map((n) => n.id));
  let last = -1;
  shown.forEach((n, i) => {
    if (ids.has(n.id)) last = i;
  });
  return last < 0 ? [] : shown.slice(last + 1).filter((n) => !ids.has(n.id));
}

function freeze(notification: Notification): Notification {
  return Object.isFrozen(notification) ? notification : Object.freeze({ ...notification });
}

/**
 * Creates a {@link NotificationFeed}; call `start()` to load it.
 *
 * @example
 * const feed = createNotificationFeed(connection);
 */
export function createNotificationFeed(
  connection: Connection,
  options?: NotificationFeedOptions,
): NotificationFeed {
  return new NotificationFeed(connection, options);
}
