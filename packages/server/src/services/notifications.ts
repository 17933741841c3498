import {
  DEFAULT_PAGE_SIZE,
  ServerEvents,
  ackError,
  ackOk,
  schemas as defaultSchemas,
  validatePayload,
  type Ack,
  type Notification,
  type NotificationInput,
  type NotifyDismissPayload,
  type NotifyListPayload,
  type NotifyListResult,
  type NotifyReadPayload,
  type UnreadResult,
} from '@wirekit/core/protocol';
import { createId } from '../ids.js';
import { parseCursor, type WirekitStore } from '../store/types.js';
import { userChannel, type Hub } from './hub.js';
import type { Session } from './session.js';

/** Who a notification is for: one user id, several, or every user (see {@link NotificationService.notify}). */
export type NotifyTarget = string | readonly string[] | 'all';

/** Options of {@link NotificationService}. */
export interface NotificationServiceOptions {
  store: WirekitStore;
  hub: Hub;
  /**
   * How long a `notify('all')` broadcast still reaches users who connect after it, in ms (with
   * a store that keeps broadcasts).
   * @default 604_800_000 (7 days)
   */
  broadcastTtlMs?: number;
  /**
   * Called when the live push of a kept `notify('all')` fails (listing the connected users, or
   * delivering to one of them); `notify` still resolves, as the broadcast reaches them on
   * their next list. @default console.error
   */
  onError?: (error: unknown, context: { event: string; userId?: string }) => void;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

const WEEK = 7 * 86_400_000;

/**
 * Per-user notification feeds, independent of the transport. A session only
 * ever reads or changes its own user's feed: no payload names a user.
 */
export class NotificationService {
  readonly #store: WirekitStore;
  readonly #hub: Hub;
  readonly #now: () => number;
  readonly #broadcastTtl: number;
  readonly #onError: (error: unknown, context: { event: string; userId?: string }) => void;
  /** Notifications delivered by this process (health). */
  delivered = 0;

  constructor(options: NotificationServiceOptions) {
    this.#store = options.store;
    this.#hub = options.hub;
    this.#now = options.now ?? Date.now;
    this.#broadcastTtl = options.broadcastTtlMs ?? WEEK;
    this.#onError =
      options.onError ?? ((error, context) => console.error(`[wirekit] ${context.event}`, error));
  }

  /**
   * Stores a notification in each target user's feed and pushes
   * `notify:new { notification, unread }` to all of their sessions.
   * `'all'` reaches every user connected at this moment (on every process
   * sharing the Socket.IO adapter) and, when the store keeps broadcasts (both
   * shipped stores do), every user who connects within `broadcastTtlMs`: it is
   * added to their feed before their first list; it then resolves once the
   * broadcast is kept, and a failed live push goes to `onError`. Throws a
   * `TypeError` for an invalid input.
   */
  async notify(target: NotifyTarget, input: NotificationInput): Promise<Notification> {
    const checked = validatePayload(defaultSchemas.notificationInput, input);
    if (!checked.ok) throw new TypeError(`invalid notification: ${checked.error.message}`);
    const now = this.#now();
    const notification: Notification = {
      ...checked.value,
      id: createId(now),
      createdAt: now,
      read: false,
    };
    let users: string[];
    if (target === 'all') {
      if (this.#store.addBroadcast && this.#store.deliverBroadcasts) {
        // Kept before the listing: a user who connects (and lists) while the cluster is being
        // listed is not in it, and must find the broadcast already there.
        await this.#store.addBroadcast(notification);
        // Once kept it is sent: the live push is best effort (every user gets it on their next
        // list anyway), and a rejection would make the caller send it again.
        await this.#pushBroadcast(notification.createdAt);
        return notification;
      }
      users = [...new Set((await this.#hub.sessions(null)).map((s) => s.user.id))];
    } else {
      users = [...new Set(typeof target === 'string' ? [target] : target)];
    }
    await Promise.all(
      users.map(async (userId) => {
        const unread = await this.#store.addNotification(userId, notification);
        this.delivered += 1;
        this.#hub.emit(userChannel(userId), ServerEvents.notifyNew, { notification, unread });
      }),
    );
    return notification;
  }

  async list(session: Session, payload: NotifyListPayload): Promise<Ack<NotifyListResult>> {
    if (parseCursor(payload.before) === null) {
      return ackError('invalid', 'before is not a valid cursor');
    }
    // Broadcasts sent while the user was away join the feed before its first page is read,
    // like notifications stored for them meanwhile (in the list, no push to this session).
    if (payload.before === undefined) await this.#deliverBroadcasts(session.user.id, session.id);
    const page = await this.#store.listNotifications(session.user.id, {
      limit: payload.limit ?? DEFAULT_PAGE_SIZE,
      ...(payload.before !== undefined ? { before: payload.before } : {}),
    });
    return ackOk(page);
  }

  async read(session: Session, payload: NotifyReadPayload): Promise<Ack<UnreadResult>> {
    const unread = await this.#store.markRead(session.user.id, payload.ids);
    this.#sync(session, { unread, read: payload.ids });
    return ackOk({ unread });
  }

  async readAll(session: Session): Promise<Ack<UnreadResult>> {
    const unread = await this.#store.markRead(session.user.id, 'all');
    this.#sync(session, { unread, allRead: true });
    return ackOk({ unread });
  }

  async dismiss(session: Session, payload: NotifyDismissPayload): Promise<Ack<UnreadResult>> {
    const unread = await this.#store.dismiss(session.user.id, payload.ids);
    this.#sync(session, { unread, dismissed: payload.ids });
    return ackOk({ unread });
  }

  /**
   * Delivers the kept broadcasts to every connected user now, the one created at `createdAt`
   * included however short `broadcastTtlMs` is (0: only for users connected now); failures go
   * to `onError`.
   */
  async #pushBroadcast(createdAt: number): Promise<void> {
    let users: string[];
    try {
      users = [...new Set((await this.#hub.sessions(null)).map((s) => s.user.id))];
    } catch (error) {
      this.#onError(error, { event: 'notify' });
      return;
    }
    await Promise.all(
      users.map((userId) =>
        // Through the user's mark, so a connected user never gets it again on the next list.
        this.#deliverBroadcasts(userId, undefined, createdAt).catch((error: unknown) =>
          this.#onError(error, { event: 'notify', userId }),
        ),
      ),
    );
  }

  /**
   * Adds the broadcasts the user has not had to their feed; pushes them to their sessions.
   * Those created before `broadcastTtlMs` ago are skipped, unless created at `createdAt` or later.
   */
  async #deliverBroadcasts(
    userId: string,
    exceptSession?: string,
    createdAt = Number.POSITIVE_INFINITY,
  ): Promise<void> {
    if (!this.#store.deliverBroadcasts) return;
    const { delivered, unread } = await this.#store.deliverBroadcasts(userId, {
      since: Math.min(this.#now() - this.#broadcastTtl, createdAt),
    });
    for (const notification of delivered) {
      this.delivered += 1;
      this.#hub.emit(
        userChannel(userId),
        ServerEvents.notifyNew,
        { notification, unread },
        exceptSession === undefined ? {} : { exceptSession },
      );
    }
  }

  /** Tells the user's other sessions (tabs, devices) about the change. */
  #sync(
    session: Session,
    event: { unread: number; read?: string[]; allRead?: boolean; dismissed?: string[] },
  ): void {
    this.#hub.emit(userChannel(session.user.id), ServerEvents.notifyUnread, event, {
      exceptSession: session.id,
    });
  }
}
