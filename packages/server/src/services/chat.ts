import {
  DEFAULT_PAGE_SIZE,
  ServerEvents,
  ackError,
  ackOk,
  type Ack,
  type ChatChangesPayload,
  type ChatChangesResult,
  type ChatDeletePayload,
  type ChatDeleteResult,
  type ChatEditPayload,
  type ChatEditResult,
  type ChatHistoryPayload,
  type ChatHistoryResult,
  type ChatJoinPayload,
  type ChatJoinResult,
  type ChatLeavePayload,
  type ChatMessage,
  type ChatSendPayload,
  type ChatSendResult,
  type ChatTypingPayload,
  type UserRef,
} from '@wirekit/core/protocol';
import { createId } from '../ids.js';
import { parseCursor, type WirekitStore } from '../store/types.js';
import { roomChannel, userChannel, type Hub } from './hub.js';
import { PresenceBatcher, PresenceClosedError } from './presence.js';
import type { Session, WirekitUser } from './session.js';

/** Options of {@link ChatService}. */
export interface ChatServiceOptions<U extends WirekitUser = WirekitUser> {
  store: WirekitStore;
  hub: Hub;
  /** May this user join (and read the history of) this room? @default every room */
  authorizeRoom?: (user: U, room: string) => boolean | Promise<boolean>;
  /** May this user edit or delete others' messages in this room? @default nobody */
  canModerate?: (user: U, room: string) => boolean | Promise<boolean>;
  /**
   * Minimum time between two `typing: true` broadcasts of one session in one room.
   * @default 1500
   */
  typingThrottleMs?: number;
  /**
   * Messages returned by `chat:join` when the payload gives no `limit`.
   * @default 50
   */
  joinHistory?: number;
  /**
   * How long a (user, client id) pair is remembered for dedupe, in ms.
   * @default 86_400_000
   */
  dedupeTtlMs?: number;
  /**
   * Presence changes of one room within this window go out as one `chat:presence`
   * `{ room, count, members? }`, so n users joining at once cost O(duration / window)
   * broadcasts, not n². Join acks do not wait for the window; joins arriving in the same
   * turn of the event loop share one listing of the room.
   * @default 50
   */
  presenceBatchMs?: number;
  /**
   * Rooms with more users than this get counts only: presence updates carry `count` and no
   * `members`, and join acks an empty `members` with `memberCount`.
   * @default 100
   */
  presenceListLimit?: number;
  /**
   * Rooms one session may be in at once; past it `chat:join` is answered `forbidden` until the
   * session leaves one. Each membership costs server memory, so without a bound one connection
   * could grow it for as long as it stays.
   * @default 1000
   */
  maxRoomsPerSession?: number;
  /** Called with unexpected errors outside a request (a failed presence flush). */
  onError?: (error: unknown, context: { event: string }) => void;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/**
 * Chat rooms, independent of the transport: membership, history, send with
 * dedupe, edit, delete, throttled typing and presence. Every method returns
 * the ack to send back; none throws for a client mistake.
 */
export class ChatService<U extends WirekitUser = WirekitUser> {
  readonly #store: WirekitStore;
  readonly #hub: Hub;
  readonly #authorize: (user: U, room: string) => boolean | Promise<boolean>;
  readonly #moderate: (user: U, room: string) => boolean | Promise<boolean>;
  readonly #typingThrottle: number;
  readonly #joinHistory: number;
  readonly #dedupeTtl: number;
  readonly #maxRooms: number;
  readonly #now: () => number;
  readonly #presence: PresenceBatcher;
  /**
   * Per session, the rooms with a join still running, and how often each was left since. A join
   * that sees that change was overtaken by a leave (over Socket.IO: the join outlived
   * eventTimeoutMs and the socket's next events went ahead), and must not add the session back.
   */
  readonly #joining = new WeakMap<Session<U>, Map<string, { joins: number; leaves: number }>>();
  /** Messages stored by this process (health). */
  messages = 0;

  constructor(options: ChatServiceOptions<U>) {
    this.#store = options.store;
    this.#hub = options.hub;
    this.#authorize = options.authorizeRoom ?? (() => true);
    this.#moderate = options.canModerate ?? (() => false);
    this.#typingThrottle = options.typingThrottleMs ?? 1500;
    this.#joinHistory = options.joinHistory ?? DEFAULT_PAGE_SIZE;
    this.#dedupeTtl = options.dedupeTtlMs ?? 86_400_000;
    this.#maxRooms = options.maxRoomsPerSession ?? 1000;
    this.#now = options.now ?? Date.now;
    const onError = options.onError;
    this.#presence = new PresenceBatcher({
      hub: this.#hub,
      ...(options.presenceBatchMs !== undefined ? { windowMs: options.presenceBatchMs } : {}),
      ...(options.presenceListLimit !== undefined ? { listLimit: options.presenceListLimit } : {}),
      ...(onError ? { onError: (error: unknown) => onError(error, { event: 'presence' }) } : {}),
    });
  }

  /** Presence broadcasts sent and room listings done by this process (health, benches). */
  get presence(): { broadcasts: number; flushes: number; pending: number } {
    const p = this.#presence;
    return { broadcasts: p.broadcasts, flushes: p.flushes, pending: p.pending };
  }

  /** Stops presence: clears its timers and answers waiting joins `unavailable`. */
  close(): void {
    this.#presence.close();
  }

  async join(session: Session<U>, payload: ChatJoinPayload): Promise<Ack<ChatJoinResult>> {
    const { room } = payload;
    if (!session.rooms.has(room) && session.rooms.size >= this.#maxRooms) {
      return ackError(
        'forbidden',
        `in too many rooms (at most ${this.#maxRooms}); leave one first`,
      );
    }
    let joining = this.#joining.get(session);
    if (!joining) this.#joining.set(session, (joining = new Map()));
    const entry = joining.get(room) ?? { joins: 0, leaves: 0 };
    joining.set(room, entry);
    entry.joins += 1;
    const leaves = entry.leaves;
    try {
      if (!(await this.#authorize(session.user, room))) {
        return ackError('forbidden', `not allowed to join room ${room}`);
      }
      if (!session.rooms.has(room)) {
        if (entry.leaves !== leaves) return ackError('unavailable', 'left while joining');
        await this.#hub.join(session.id, roomChannel(room));
        if (entry.leaves !== leaves) {
          // Unless a later join of the room (still running) keeps the channel.
          if (!session.rooms.has(room) && entry.joins === 1) {
            await this.#hub.leave(session.id, roomChannel(room));
          }
          return ackError('unavailable', 'left while joining');
        }
        session.rooms.add(room);
        this.#presence.joined(session.id, session.ref, room);
      }
    } finally {
      entry.joins -= 1;
      if (entry.joins === 0 && joining.get(room) === entry) joining.delete(room);
    }
    // Read after joining the channel (any change past it is also broadcast to us) and before the
    // page: a change landing in between is then past `rev`, so a rejoin asks for it. Read after
    // the page, such a change was in neither the page nor any later `chat:changes`.
    const store = this.#store;
    const rev = store.revision && store.changes ? await store.revision(room) : undefined;
    const page = await this.#store.history(room, { limit: payload.limit ?? this.#joinHistory });
    // Last: nothing async may run between the snapshot and the ack, so no later presence
    // update of this process can overtake the ack's member list on the wire.
    let snapshot;
    try {
      snapshot = await this.#presence.snapshot(room);
    } catch (error) {
      if (error instanceof PresenceClosedError) return ackError('unavailable', 'server is closing');
      throw error;
    }
    // Another process may not have listed this session yet: it is a member all the same.
    const members = snapshot.members ? dedupeUsers([...snapshot.members, session.ref]) : [];
    const memberCount = snapshot.members ? members.length : snapshot.count;
    return ackOk({
      room,
      messages: page.messages,
      nextCursor: page.nextCursor,
      members,
      memberCount,
      ...(rev !== undefined ? { rev } : {}),
    });
  }

  async leave(session: Session<U>, payload: ChatLeavePayload): Promise<Ack<{ room: string }>> {
    const { room } = payload;
    const joining = this.#joining.get(session)?.get(room);
    if (joining) joining.leaves += 1;
    if (session.rooms.has(room)) await this.#leave(session, room);
    return ackOk({ room });
  }

  /** Leaves every room; call when the session ends. */
  async disconnect(session: Session<U>): Promise<void> {
    for (const joining of this.#joining.get(session)?.values() ?? []) joining.leaves += 1;
    await Promise.all([...session.rooms].map((room) => this.#leave(session, room)));
  }

  async #leave(session: Session<U>, room: string): Promise<void> {
    session.rooms.delete(room);
    const wasTyping = session.typingSentAt.delete(room);
    const channel = roomChannel(room);
    await this.#hub.leave(session.id, channel);
    if (wasTyping) {
      this.#hub.emit(
        channel,
        ServerEvents.chatTyping,
        { room, user: session.ref, typing: false },
        { exceptChannel: userChannel(session.user.id), volatile: true },
      );
    }
    this.#presence.left(session.id, session.ref, room);
  }

  #notMember(room: string) {
    return ackError('forbidden', `join room ${room} first`);
  }

  /**
   * Stores and broadcasts a message. The sender is always the session's user;
   * a resend with the same client id returns the first stored message (as it
   * is now: edited or deleted since) with `duplicate: true` and is not
   * broadcast again.
   */
  async send(
    session: Session<U>,
    payload: ChatSendPayload,
    cid?: string,
  ): Promise<Ack<ChatSendResult>> {
    const { room, text } = payload;
    if (!session.rooms.has(room)) return this.#notMember(room);
    const clientId = cid ?? payload.clientId;
    const now = this.#now();
    const draft: Omit<ChatMessage, 'seq'> = {
      id: createId(now),
      room,
      text,
      user: session.ref,
      createdAt: now,
      ...(clientId !== undefined ? { clientId } : {}),
    };
    const { message, duplicate } = await this.#store.appendMessage(draft, {
      ...(clientId !== undefined
        ? { dedupeKey: `${session.user.id}\u0000${clientId}`, dedupeTtlMs: this.#dedupeTtl }
        : {}),
    });
    if (duplicate) {
      // The dedupe entry holds the message as first stored; it may have been edited or deleted
      // since (the sender's client trusts this ack over what it holds): answer with it as it is.
      const current = await this.#store.getMessage(message.room, message.id);
      return ackOk({ message: current ?? message, duplicate });
    }
    this.messages += 1;
    // A message ends typing; receivers drop the indicator on chat:message.
    session.typingSentAt.delete(room);
    this.#hub.emit(roomChannel(room), ServerEvents.chatMessage, message, {
      exceptSession: session.id,
    });
    return ackOk({ message, duplicate });
  }

  async #ownMessage(session: Session<U>, room: string, id: string) {
    if (!session.rooms.has(room)) return this.#notMember(room);
    const message = await this.#store.getMessage(room, id);
    if (!message || message.deletedAt !== undefined) {
      return ackError('not_found', `no message ${id} in room ${room}`);
    }
    if (message.user.id !== session.user.id && !(await this.#moderate(session.user, room))) {
      return ackError('forbidden', 'not your message');
    }
    return null;
  }

  async edit(session: Session<U>, payload: ChatEditPayload): Promise<Ack<ChatEditResult>> {
    const { room, id, text } = payload;
    const denied = await this.#ownMessage(session, room, id);
    if (denied) return denied;
    const message = await this.#store.updateMessage(room, id, { text, editedAt: this.#now() });
    if (!message) return ackError('not_found', `no message ${id} in room ${room}`);
    this.#hub.emit(roomChannel(room), ServerEvents.chatEdited, message, {
      exceptSession: session.id,
    });
    return ackOk({ message });
  }

  async delete(session: Session<U>, payload: ChatDeletePayload): Promise<Ack<ChatDeleteResult>> {
    const { room, id } = payload;
    const denied = await this.#ownMessage(session, room, id);
    if (denied) return denied;
    const deletedAt = this.#now();
    const message = await this.#store.updateMessage(room, id, { deletedAt });
    if (!message) return ackError('not_found', `no message ${id} in room ${room}`);
    const event = { room, id, deletedAt };
    this.#hub.emit(roomChannel(room), ServerEvents.chatDeleted, event, {
      exceptSession: session.id,
    });
    return ackOk(event);
  }

  /**
   * Broadcasts a typing change to the room's other users (volatile). A
   * `typing: true` is sent at most once per throttle window per session and
   * room; a `typing: false` only after a `true` was sent.
   */
  typing(session: Session<U>, payload: ChatTypingPayload): Ack<Record<never, never>> {
    const { room, typing } = payload;
    if (!session.rooms.has(room)) return this.#notMember(room);
    const now = this.#now();
    const last = session.typingSentAt.get(room);
    if (typing) {
      if (last !== undefined && now - last < this.#typingThrottle) return ackOk({});
      session.typingSentAt.set(room, now);
    } else {
      if (last === undefined) return ackOk({});
      session.typingSentAt.delete(room);
    }
    this.#hub.emit(
      roomChannel(room),
      ServerEvents.chatTyping,
      { room, user: session.ref, typing },
      { exceptChannel: userChannel(session.user.id), volatile: true },
    );
    return ackOk({});
  }

  async history(session: Session<U>, payload: ChatHistoryPayload): Promise<Ack<ChatHistoryResult>> {
    const { room, before } = payload;
    if (!session.rooms.has(room) && !(await this.#authorize(session.user, room))) {
      return ackError('forbidden', `not allowed to read room ${room}`);
    }
    if (parseCursor(before) === null) return ackError('invalid', 'before is not a valid cursor');
    const page = await this.#store.history(room, {
      limit: payload.limit ?? DEFAULT_PAGE_SIZE,
      ...(before !== undefined ? { before } : {}),
    });
    return ackOk({ room, messages: page.messages, nextCursor: page.nextCursor });
  }

  /** Edits and deletions since a revision, for a client that rejoins with older messages. */
  async changes(session: Session<U>, payload: ChatChangesPayload): Promise<Ack<ChatChangesResult>> {
    const { room, since } = payload;
    if (!session.rooms.has(room) && !(await this.#authorize(session.user, room))) {
      return ackError('forbidden', `not allowed to read room ${room}`);
    }
    const store = this.#store;
    if (!store.revision || !store.changes) {
      return ackError('unavailable', 'this server does not track changes');
    }
    const page = await store.changes(room, {
      since,
      limit: payload.limit ?? DEFAULT_PAGE_SIZE,
    });
    return ackOk({ room, messages: page.messages, rev: page.rev, more: page.more });
  }
}

function dedupeUsers(users: UserRef[]): UserRef[] {
  const byId = new Map<string, UserRef>();
  for (const user of users) if (!byId.has(user.id)) byId.set(user.id, user);
  return [...byId.values()];
}
