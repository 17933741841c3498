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

/** Who a notification is for: one user id, several, or every connected user. */
export type NotifyTarget = string | readonly string[] | 'all';

/** Options of {@link NotificationService}. */
export interface NotificationServiceOptions {
  store: WirekitStore;
  hub: Hub;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/**
 * Per-user notification feeds, independent of the transport. A session only
 * ever reads or changes its own user's feed: no payload names a user.
 */
export class NotificationService {
  readonly #store: WirekitStore;
  readonly #hub: Hub;
  readonly #now: () => number;
  /** Notifications delivered by this process (health). */
  delivered = 0;

  constructor(options: NotificationServiceOptions) {
    this.#store = options.store;
    this.#hub = options.hub;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Stores a notification in each target user's feed and pushes
   * `notify:new { notification, unread }` to all of their sessions.
   * `'all'` means every user connected at this moment (on every process
   * sharing the Socket.IO adapter). Throws a `TypeError` for an invalid input.
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
