import * as v from 'valibot';
import type { Connection } from '../connection/Connection.js';
import type { ConnectionState } from '../connection/types.js';
import { WirekitError } from '../errors.js';
import { createClientId } from '../internal/clientId.js';
import { type Clock, systemClock, Timers } from '../internal/clock.js';
import { Disposers } from '../internal/disposers.js';
import type { WireError } from '../protocol/errors.js';
import { ClientEvents, ServerEvents } from '../protocol/events.js';
import { DEFAULT_LIMITS, DEFAULT_PAGE_SIZE } from '../protocol/limits.js';
import { schemas } from '../protocol/schemas.js';
import type {
  ChatChangesResult,
  ChatHistoryResult,
  ChatMessage,
  ServerPayloads,
  UserRef,
} from '../protocol/types.js';
import { BatchedModel } from './BatchedModel.js';
import { knownSelf, rememberSelf } from './identity.js';
import type { BatchScheduler } from './frameScheduler.js';
import { createMessageList, type MessageList, MessageListDraft } from './MessageList.js';
import { numberOption } from './options.js';
import { isWireCode, request, type RequestOutcome, toWirekitError } from './request.js';

/** Where an item of the list stands: on the server, on its way, or refused. */
export type ChatItemStatus = 'pending' | 'sent' | 'failed';

/**
 * A message as the UI shows it. For a pending or failed item `id` is the client id and
 * `seq` / `createdAt` are provisional until the server's copy replaces it.
 */
export interface ChatItem extends Readonly<Omit<ChatMessage, 'clientId'>> {
  readonly status: ChatItemStatus;
  /** The client id it was sent under (own messages), else `null`. */
  readonly clientId: string | null;
  /** Why it failed (`status: 'failed'`). */
  readonly error: WirekitError | WireError | null;
  /** Written by the current user: may be edited, deleted, retried. */
  readonly own: boolean;
}

/** An immutable picture of a room; a new object after every change. */
export interface ChatRoomSnapshot {
  readonly room: string;
  /** `joining` also while offline and waiting to rejoin; `error` when the join was refused. */
  readonly status: 'idle' | 'joining' | 'joined' | 'error';
  /** The last join, history or validation error (cleared by a successful join). */
  readonly error: WireError | WirekitError | null;
  /** The underlying connection's state (offline banners). */
  readonly connection: ConnectionState;
  /** The current user, once the server said who that is. */
  readonly self: UserRef | null;
  /** Oldest first: sent messages by `seq`, then pending and failed ones in send order. */
  readonly messages: MessageList<ChatItem>;
  /** Older messages exist on the server (`loadOlder()`). */
  readonly hasOlder: boolean;
  readonly loadingOlder: boolean;
  /** Other users typing right now. */
  readonly typing: readonly UserRef[];
  /**
   * Users in the room (present in at least one session). Empty when the room has more users
   * than the server lists (its `presenceListLimit`); `memberCount` still counts them.
   */
  readonly members: readonly UserRef[];
  /** Distinct users in the room, as of the last join ack or presence update. */
  readonly memberCount: number;
}

export interface ChatRoomOptions {
  room: string;
  /**
   * Messages kept; older ones are trimmed as new ones arrive (`loadOlder()` fetches them again).
   * Pages loaded with `loadOlder()` raise the bound to what was loaded.
   * @default 5000
   */
  maxMessages?: number;
  /** Ms after which a typing indicator without news expires. @default 6000 */
  typingTimeout?: number;
  /** Minimum ms between two typing signals sent by `notifyTyping()`. @default 2000 */
  typingThrottle?: number;
  /** Messages per join and history page (the server caps it). @default 50 */
  pageSize?: number;
  /** Ms a send may wait for its ack (queued while offline) before it fails. @default 30000 */
  sendTimeout?: number;
  /** The current user, when the app knows it already (else learnt from the server). */
  self?: UserRef;
  /** @default frameScheduler */
  scheduler?: BatchScheduler;
  clock?: Clock;
}

type Payload<E extends keyof ServerPayloads> = ServerPayloads[E];

/**
 * Started rooms per connection and room name. Two views of one room on one connection share
 * the session's membership, and the server sends neither the other's messages (they come from
 * this session): they must not leave it under each other, and they tell each other.
 */
const views = new WeakMap<Connection, Map<string, Set<ChatRoom>>>();

const roomSchema = schemas.client['chat:leave'];
const isRoomName = (room: string) => v.is(roomSchema, { room });

/**
 * One chat room over a connection: history, optimistic sends, edits, deletes, typing and
 * presence, rejoined and caught up after every reconnect. Framework-agnostic; adapters read
 * `getSnapshot()` and `subscribe()`.
 *
 * @example
 * const lease = pool.acquire('/');
 * const room = createChatRoom(lease.connection, { room: 'lobby' });
 * room.subscribe((s) => render(s.messages));
 * room.start();
 * room.send('hello');
 * // later
 * room.dispose();
 * lease.release();
 */
export class ChatRoom extends BatchedModel<ChatRoomSnapshot> {
  readonly room: string;
  readonly #connection: Connection;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #subs = new Disposers();
  readonly #maxMessages: number;
  readonly #typingTimeout: number;
  readonly #typingThrottle: number;
  readonly #pageSize: number;
  readonly #sendTimeout: number;

  #status: ChatRoomSnapshot['status'] = 'idle';
  #error: WireError | WirekitError | null = null;
  #connectionState: ConnectionState;
  #self: UserRef | null;
  /** Sent items sorted by seq, then `#localCount` pending/failed items. */
  readonly #messages = new MessageListDraft<ChatItem>(createMessageList<ChatItem>());
  readonly #byId = new Map<string, ChatItem>();
  #localCount = 0;
  #cap: number;
  #cursor: string | null = null;
  #hasOlder = false;
  #loadingOlder = false;
  #everJoined = false;
  /**
   * The room revision our messages are current to (from the last join, or the last complete
   * change sync); `null` when the server does not track changes.
   */
  #rev: number | null = null;
  /**
   * Edits and deletions of messages we do not hold (oldest first, bounded). A page read before
   * such a change can reach us after its broadcast (join ack, catch-up, `loadOlder`): the change
   * is applied when its message comes in, so the old text does not come back.
   */
  readonly #early = new Map<string, ChatMessage | { deletedAt: number }>();
  readonly #typing = new Map<string, { user: UserRef; cancel: () => void }>();
  readonly #members = new Map<string, UserRef>();
  /** From the server; `null` until it sends one (older servers): then the list's size. */
  #memberCount: number | null = null;
  #typingList: readonly UserRef[] | undefined;
  #memberList: readonly UserRef[] | undefined;
  #lastTypingSent = 0;

  #started = false;
  #disposed = false;
  /** Joined on the current link; false from a disconnect until the next join ack. */
  #joined = false;
  /**
   * The server has us in the room on the current link: a join ack came back (a rejoin may
   * still be catching up, so `#joined` can be false). What `dispose()` must undo.
   */
  #inRoom = false;
  /**
   * Joins sent and not settled. One may still reach the server (written, or queued and
   * replayed after a reconnect), so `dispose()` leaves once they settle.
   */
  #joinsInFlight = 0;
  #joinEpoch = 0;
  /** Successful joins so far: tells a stale "join first" refusal from a real one. */
  #joinCount = 0;
  /** Requests refused before the (re)join landed wait here for its outcome. */
  readonly #joinWaiters = new Set<(joined: boolean) => void>();

  constructor(connection: Connection, options: ChatRoomOptions) {
    super(options.scheduler);
    this.room = options.room;
    this.#connection = connection;
    this.#clock = options.clock ?? systemClock;
    this.#timers = new Timers(this.#clock);
    this.#maxMessages = Math.max(1, numberOption(options.maxMessages, 5000));
    this.#cap = this.#maxMessages;
    this.#typingTimeout = numberOption(options.typingTimeout, 6000);
    this.#typingThrottle = numberOption(options.typingThrottle, 2000);
    this.#pageSize = Math.max(
      1,
      Math.min(DEFAULT_LIMITS.maxPageSize, numberOption(options.pageSize, DEFAULT_PAGE_SIZE)),
    );
    this.#sendTimeout = options.sendTimeout ?? 30_000;
    this.#self = options.self ?? knownSelf(connection);
    this.#connectionState = connection.getSnapshot().state;
    if (!isRoomName(this.room)) {
      this.#status = 'error';
      this.#error = new WirekitError('invalid', `Invalid room name: ${this.room.slice(0, 64)}`);
    }
  }

  protected build(): ChatRoomSnapshot {
    this.#typingList ??= Object.freeze([...this.#typing.values()].map((t) => t.user));
    this.#memberList ??= Object.freeze([...this.#members.values()]);
    return Object.freeze({
      room: this.room,
      status: this.#status,
      error: this.#error,
      connection: this.#connectionState,
      self: this.#self,
      messages: this.#messages.finish(),
      hasOlder: this.#hasOlder,
      loadingOlder: this.#loadingOlder,
      typing: this.#typingList,
      members: this.#memberList,
      memberCount: this.#memberCount ?? this.#members.size,
    });
  }

  /** Pending timers (typing expiry); 0 after `dispose()`. */
  get timers(): number {
    return this.#timers.size;
  }

  /**
   * Listens to the room's events and joins (now if connected, else on connect). Rejoins and
   * catches up after every reconnect. Calling it again does nothing.
   */
  start(): void {
    if (this.#started || this.#disposed || this.#status === 'error') return;
    this.#started = true;
    let byRoom = views.get(this.#connection);
    if (!byRoom) views.set(this.#connection, (byRoom = new Map()));
    let same = byRoom.get(this.room);
    if (!same) byRoom.set(this.room, (same = new Set()));
    same.add(this);
    const room = this.room;
    const mine = (data: { room: string }) => data.room === room;
    this.#on(ServerEvents.hello, (hello) => this.#learnSelf(hello.user));
    this.#on(ServerEvents.chatMessage, (m) => mine(m) && this.#received(m));
    this.#on(ServerEvents.chatEdited, (m) => mine(m) && this.#edited(m));
    this.#on(ServerEvents.chatDeleted, (e) => mine(e) && this.#deleted(e));
    this.#on(ServerEvents.chatTyping, (e) => mine(e) && this.#typingEvent(e));
    this.#on(ServerEvents.chatPresence, (e) => mine(e) && this.#presence(e));
    this.#subs.add(this.#connection.subscribe((s) => this.#onConnection(s.state)));
    this.#onConnection(this.#connection.getSnapshot().state, true);
  }

  /**
   * Leaves the room (unless another started `ChatRoom` of it shares the connection) and
   * releases every listener and timer. Pending sends still go out. A join
   * still in flight (or a rejoin still catching up) is undone too: the leave follows its ack.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const byRoom = views.get(this.#connection);
    byRoom?.get(this.room)?.delete(this);
    if (byRoom?.get(this.room)?.size === 0) byRoom.delete(this.room);
    // A join still in flight would be processed after a leave sent now (or be replayed after a
    // reconnect): then the leave goes out when it settles, in #join.
    if (this.#joinsInFlight === 0) this.#leave();
    this.#joined = false;
    this.#joinEpoch += 1;
    this.#subs.drain();
    this.#timers.clearAll();
    this.#typing.clear();
    this.#settleWaiters(false);
    this.teardown();
  }

  /**
   * Sends a message: it shows as pending at once, then as sent (with the server's id and
   * `seq`) or failed (see `retry()`). Queued while offline and resent after reconnects under
   * the same client id, so it is stored exactly once.
   *
   * @returns the client id (the pending item's `id`)
   * @throws WirekitError `invalid` for blank or over-long text, `closed` after `dispose()`
   */
  send(text: string): string {
    this.#checkOpen();
    this.#checkText(text);
    const cid = createClientId();
    const last = this.#lastSent();
    const item: ChatItem = Object.freeze({
      id: cid,
      room: this.room,
      seq: (last?.seq ?? 0) + 1,
      text,
      user: this.#self ?? { id: '' },
      createdAt: this.#clock.now(),
      status: 'pending' as const,
      clientId: cid,
      error: null,
      own: true,
    });
    this.#messages.push(item);
    this.#localCount += 1;
    this.#lastTypingSent = 0; // the server ends our typing with the message
    this.changed(true);
    void this.#dispatch(cid, text);
    return cid;
  }

  /** Sends a failed message again, under its client id (deduplicated by the server). */
  retry(clientId: string): void {
    if (this.#disposed) return;
    const found = this.#findLocal(clientId);
    if (!found || found.item.status !== 'failed') return;
    this.#messages.set(found.index, freezeItem({ ...found.item, status: 'pending', error: null }));
    this.changed(true);
    void this.#dispatch(clientId, found.item.text);
  }

  /**
   * Edits an own message: shown at once, confirmed by the server or reverted.
   * @throws (rejects) WirekitError: `invalid` text or unknown id, `closed` after `dispose()`,
   * or the server's refusal
   */
  async edit(id: string, text: string): Promise<void> {
    this.#checkOpen();
    this.#checkText(text);
    const original = this.#byId.get(id);
    if (!original || original.deletedAt !== undefined) {
      throw new WirekitError('invalid', `No message ${id} to edit`);
    }
    const optimistic = freezeItem({ ...original, text, editedAt: this.#clock.now() });
    this.#replace(optimistic);
    this.changed(true);
    const res = await this.#roomRequest(
      ClientEvents.chatEdit,
      { room: this.room, id, text },
      schemas.results['chat:edit'],
    );
    if (this.#disposed) return;
    if (res.ok) {
      // A versioned reply yields to a later edit from another tab that arrived first; without
      // versions (older servers) the reply wins over our optimistic copy and its local clock.
      const reply = res.value.message;
      this.#upsert(reply, reply.version === undefined);
      this.changed(true);
      for (const view of this.#otherViews()) view.#edited(reply);
      return;
    }
    if (this.#byId.get(id) === optimistic) this.#replace(original);
    this.changed(true);
    throw toWirekitError(res.error);
  }

  /**
   * Deletes an own message (it stays in place with `text: ''` and `deletedAt`); reverted if the
   * server refuses. A failed local item is just removed.
   * @throws (rejects) WirekitError: unknown id, `closed` after `dispose()`, or the server's refusal
   */
  async remove(id: string): Promise<void> {
    this.#checkOpen();
    const local = this.#findLocal(id);
    if (local) {
      if (local.item.status !== 'failed') throw new WirekitError('invalid', 'Still sending');
      this.#messages.removeAt(local.index);
      this.#localCount -= 1;
      this.changed(true);
      return;
    }
    const original = this.#byId.get(id);
    if (!original) throw new WirekitError('invalid', `No message ${id} to delete`);
    if (original.deletedAt !== undefined) return;
    const optimistic = freezeItem({ ...original, text: '', deletedAt: this.#clock.now() });
    this.#replace(optimistic);
    this.changed(true);
    const res = await this.#roomRequest(
      ClientEvents.chatDelete,
      { room: this.room, id },
      schemas.results['chat:delete'],
    );
    if (this.#disposed) return;
    if (res.ok) {
      const current = this.#byId.get(id);
      if (current) this.#replace(freezeItem({ ...current, deletedAt: res.value.deletedAt }));
      this.changed(true);
      for (const view of this.#otherViews()) view.#deleted(res.value);
      return;
    }
    if (this.#byId.get(id) === optimistic) this.#replace(original);
    this.changed(true);
    throw toWirekitError(res.error);
  }

  /** Tells the room the user is typing; throttled, volatile (never queued offline). */
  notifyTyping(): void {
    if (!this.#joined || this.#disposed) return;
    const now = this.#clock.now();
    if (this.#lastTypingSent && now - this.#lastTypingSent < this.#typingThrottle) return;
    this.#lastTypingSent = now;
    this.#volatile({ room: this.room, typing: true });
  }

  /** Ends the typing indicator early (input cleared or blurred). */
  stopTyping(): void {
    if (!this.#lastTypingSent || this.#disposed) return;
    this.#lastTypingSent = 0;
    this.#volatile({ room: this.room, typing: false });
  }

  /**
   * Fetches the previous page of history. Never rejects: a failure lands in `error`.
   */
  async loadOlder(): Promise<void> {
    if (!this.#hasOlder || this.#loadingOlder || this.#cursor === null || this.#disposed) return;
    this.#loadingOlder = true;
    this.changed(true);
    let res: RequestOutcome<ChatHistoryResult>;
    for (let attempt = 1; ; attempt++) {
      const before: string | null = this.#cursor;
      res = await this.#roomRequest(
        ClientEvents.chatHistory,
        { room: this.room, before, limit: this.#pageSize },
        schemas.results['chat:history'],
      );
      if (this.#disposed) return;
      // Live messages trimmed the oldest meanwhile: the page ends before them, a hole if shown.
      if (this.#cursor === before || this.#cursor === null) break;
      if (attempt >= 3) {
        this.#loadingOlder = false;
        return this.changed(true);
      }
    }
    this.#loadingOlder = false;
    if (!res.ok) {
      this.#error = res.error;
      this.changed(true);
      return;
    }
    const oldest = this.#messages.length > this.#localCount ? this.#messages.at(0) : undefined;
    const older = res.value.messages
      .filter((m) => !this.#byId.has(m.id) && (!oldest || m.seq < oldest.seq))
      .sort((a, b) => a.seq - b.seq)
      .map((m) => this.#toItem(this.#withEarly(m)));
    for (const item of older) this.#byId.set(item.id, item);
    this.#messages.prepend(older);
    this.#cursor = res.value.nextCursor;
    this.#hasOlder = res.value.nextCursor !== null;
    // The user asked for these: keep them until the live tail pushes them out.
    this.#cap = Math.max(this.#cap, this.#sentCount());
    this.changed(true);
  }

  // --- connection lifecycle -------------------------------------------------------------

  #onConnection(state: ConnectionState, initial = false): void {
    const was = this.#connectionState;
    this.#connectionState = state;
    if (state === 'connected' && (initial || was !== 'connected')) {
      void this.#join();
    } else if (state !== 'connected') {
      // An in-flight join of the lost session is answered (if ever) by a stale epoch.
      if (was === 'connected' || this.#joined) this.#joinEpoch += 1;
      this.#joined = false;
      this.#inRoom = false; // the server dropped the session's rooms with it
      if (state !== 'idle' && this.#status !== 'error') this.#status = 'joining';
      // Indicators of a lost session would never get their `typing: false`.
      this.#clearTyping();
      // No rejoin is coming: requests waiting for one fail (a send can then be retried).
      if (state === 'failed' || state === 'closed') this.#settleWaiters(false);
    }
    if (state !== was || initial) this.changed(false);
  }

  async #join(): Promise<void> {
    const epoch = ++this.#joinEpoch;
    this.#joined = false;
    this.#status = 'joining';
    this.changed(false);
    this.#joinsInFlight += 1;
    // Before the request: messages pushed while the join is in flight are newer than the gap.
    const newest = this.#lastSent()?.seq ?? 0;
    const res = await request(
      this.#connection,
      ClientEvents.chatJoin,
      { room: this.room, limit: this.#pageSize },
      schemas.results['chat:join'],
    );
    this.#joinsInFlight -= 1;
    // An ack comes over a live link: the server has us in the room now, whatever the epoch.
    if (res.ok && this.#connection.state === 'connected') this.#inRoom = true;
    if (this.#disposed) {
      if (this.#joinsInFlight === 0) this.#leave();
      return;
    }
    if (epoch !== this.#joinEpoch) return;
    const delay = res.ok ? null : rateLimitDelay(res.error);
    if (!res.ok && delay !== null) {
      // Not a refusal: many rooms (or tabs of one user) rejoining at once spend the user's
      // budget. Try again when the server says; waiting requests keep waiting.
      this.#error = res.error;
      this.#timers.set(() => {
        if (epoch === this.#joinEpoch && this.#connection.state === 'connected') void this.#join();
      }, delay);
      this.changed(false);
      return;
    }
    if (!res.ok) {
      this.#status = 'error';
      this.#error = res.error;
      this.#settleWaiters(false);
      this.changed(false);
      return;
    }
    const { messages, nextCursor, members, memberCount, rev } = res.value;
    const rejoin = this.#everJoined && this.#sentCount() > 0;
    for (const message of messages) this.#upsert(message);
    if (!rejoin) {
      this.#cursor = nextCursor;
      this.#hasOlder = nextCursor !== null;
    } else if (nextCursor !== null && (messages[0]?.seq ?? 0) > newest + 1) {
      // Missed more than one page while away: page back until the gap is filled.
      const filled = await this.#catchUp(epoch, nextCursor, newest);
      if (!filled) return;
    }
    if (rev === undefined) this.#rev = null;
    else if (rejoin && this.#rev !== null && rev > this.#rev) {
      // Edits and deletions made while we were away, to messages older than the page above.
      const synced = await this.#syncChanges(epoch, this.#rev);
      if (synced === 'stale') return;
      if (synced === true) this.#rev = Math.max(rev, this.#rev);
      else this.#syncLater(epoch, rev, synced);
    } else this.#rev = rev; // also when the server's revision went back (its store was reset)
    this.#setMembers(members, memberCount ?? null);
    this.#everJoined = true;
    this.#joined = true;
    this.#status = 'joined';
    this.#error = null;
    this.#joinCount += 1;
    this.#trim();
    this.changed(false);
    this.#settleWaiters(true);
  }

  /** Takes us out of the room on the server, once, if it has us in it on the current link. */
  #leave(): void {
    if (!this.#inRoom) return;
    this.#inRoom = false;
    // Another view holds the membership (or is about to): leaving would take it from under it.
    if (this.#otherViews().some((view) => view.#inRoom || view.#joinsInFlight > 0)) return;
    if (this.#connection.state !== 'connected') return; // the session and its rooms are gone
    try {
      this.#connection.send(ClientEvents.chatLeave, { room: this.room });
    } catch {
      // Closed meanwhile: the server dropped the membership with the session.
    }
  }

  /** Fetches history pages before `cursor` until `newest` (the last seq seen) is reached. */
  async #catchUp(epoch: number, cursor: string, newest: number): Promise<boolean> {
    let before: string | null = cursor;
    while (before !== null) {
      const res: RequestOutcome<ChatHistoryResult> = await request(
        this.#connection,
        ClientEvents.chatHistory,
        { room: this.room, before, limit: DEFAULT_LIMITS.maxPageSize },
        schemas.results['chat:history'],
      );
      if (this.#disposed || epoch !== this.#joinEpoch) return false;
      if (!res.ok) {
        this.#error = res.error;
        // No hole: drop what we had before the gap, and page back to it from there.
        const sent = this.#sentCount();
        for (const item of this.#messages.removeFirst(this.#positionOf(newest + 1, sent))) {
          this.#byId.delete(item.id);
        }
        this.#cursor = before;
        this.#hasOlder = true;
        break;
      }
      for (const message of res.value.messages) this.#upsert(message);
      const first = res.value.messages[0]?.seq ?? 0;
      // Done once the page reaches what we had, or once the messages caught up fill the list:
      // everything older (what we had included) is trimmed then, so no hole is left.
      const sent = this.#sentCount();
      if (first <= newest + 1 || sent - this.#positionOf(newest + 1, sent) >= this.#cap) break;
      before = res.value.nextCursor;
    }
    return true;
  }

  /**
   * Applies the room's changes since `since` to the messages we hold (the others are loaded
   * current when paged in), advancing `#rev` page by page: after a failed request the next
   * rejoin asks again from the last page applied.
   */
  async #syncChanges(
    epoch: number,
    since: number,
  ): Promise<true | 'stale' | WireError | WirekitError> {
    let from = since;
    for (;;) {
      const res: RequestOutcome<ChatChangesResult> = await request(
        this.#connection,
        ClientEvents.chatChanges,
        { room: this.room, since: from, limit: DEFAULT_LIMITS.maxPageSize },
        schemas.results['chat:changes'],
      );
      if (this.#disposed || epoch !== this.#joinEpoch) return 'stale';
      if (!res.ok) return res.error;
      for (const message of res.value.messages) {
        if (this.#byId.has(message.id)) this.#upsert(message);
      }
      // A server that answers `more` without moving on would loop forever.
      if (!res.value.more || res.value.rev <= from) {
        this.#rev = res.value.rev;
        return true;
      }
      from = res.value.rev;
      this.#rev = from;
    }
  }

  /**
   * A rate-limited change sync is asked again when the server says (else the next rejoin asks);
   * `rev` is the revision the join reported.
   */
  #syncLater(epoch: number, rev: number, error: WireError | WirekitError): void {
    const delay = rateLimitDelay(error);
    if (delay === null) return;
    this.#timers.set(() => {
      if (this.#rev === null || epoch !== this.#joinEpoch) return;
      void this.#syncChanges(epoch, this.#rev).then((synced) => {
        if (synced === 'stale') return;
        if (synced === true) this.#rev = Math.max(rev, this.#rev ?? 0);
        else this.#syncLater(epoch, rev, synced);
        this.changed(false);
      });
    }, delay);
  }

  // --- sending ------------------------------------------------------------------------

  async #dispatch(cid: string, text: string): Promise<void> {
    const res = await this.#roomRequest(
      ClientEvents.chatSend,
      { room: this.room, text, clientId: cid },
      schemas.results['chat:send'],
      { cid, timeout: this.#sendTimeout },
    );
    if (this.#disposed) return;
    if (res.ok) {
      this.#learnSelf(res.value.message.user);
      this.#confirm(cid, res.value.message);
      for (const view of this.#otherViews()) view.#received(res.value.message);
    } else {
      this.#fail(cid, res.error);
    }
    this.changed(true);
  }

  /**
   * A request that needs room membership. After a reconnect the connection resends queued
   * requests as soon as the link is up, before our rejoin reaches the server, so they come back
   * `forbidden` ("join first"): such a refusal is retried once the rejoin landed, under the same
   * client id (a send is still stored once).
   */
  async #roomRequest<T>(
    event: string,
    data: unknown,
    schema: v.GenericSchema<unknown, T>,
    options: { cid?: string; timeout?: number } = {},
  ): Promise<RequestOutcome<T>> {
    for (let attempt = 0; ; attempt++) {
      const joins = this.#joinCount;
      const res = await request(this.#connection, event, data, schema, options);
      if (res.ok || !isWireCode(res.error, 'forbidden') || attempt >= 2) return res;
      if (this.#disposed || !this.#started) return res;
      if (this.#joinCount === joins) {
        // Joined all along: a real refusal. Otherwise wait for the rejoin's outcome.
        if (this.#joined || !(await this.#whenJoined())) return res;
      }
    }
  }

  /** The other started, undisposed rooms of this name on this connection. */
  #otherViews(): ChatRoom[] {
    const same = views.get(this.#connection)?.get(this.room);
    return same ? [...same].filter((view) => view !== this) : [];
  }

  #whenJoined(): Promise<boolean> {
    if (this.#disposed) return Promise.resolve(false);
    return new Promise((resolve) => this.#joinWaiters.add(resolve));
  }

  #settleWaiters(joined: boolean): void {
    const waiters = [...this.#joinWaiters];
    this.#joinWaiters.clear();
    for (const resolve of waiters) resolve(joined);
  }

  #confirm(cid: string, message: ChatMessage): void {
    const found = this.#findLocal(cid);
    if (found) {
      this.#messages.removeAt(found.index);
      this.#localCount -= 1;
    }
    this.#upsert({ ...message, clientId: cid }, true);
    this.#trim();
  }

  #fail(cid: string, error: WireError | WirekitError): void {
    const found = this.#findLocal(cid);
    if (!found) return;
    this.#messages.set(found.index, freezeItem({ ...found.item, status: 'failed', error }));
  }

  #volatile(data: { room: string; typing: boolean }): void {
    try {
      this.#connection.send(ClientEvents.chatTyping, data, { volatile: true });
    } catch {
      // Closed connection: typing is best effort.
    }
  }

  #checkOpen(): void {
    // The room was left: a request now would be refused, and its answer ignored.
    if (this.#disposed) throw new WirekitError('closed', 'The chat room was disposed');
  }

  #checkText(text: string): void {
    if (typeof text !== 'string' || text.trim().length === 0) {
      throw new WirekitError('invalid', 'A message must not be blank');
    }
    if (text.length > DEFAULT_LIMITS.maxTextLength) {
      throw new WirekitError(
        'invalid',
        `A message must be at most ${DEFAULT_LIMITS.maxTextLength} characters`,
      );
    }
  }

  // --- inbound --------------------------------------------------------------------------

  #on<E extends keyof ServerPayloads>(event: E, handler: (data: Payload<E>) => void): void {
    this.#subs.add(
      this.#connection.on(event, (data) => handler(data as Payload<E>), {
        schema: schemas.server[event],
      }),
    );
  }

  #received(message: ChatMessage): void {
    this.#stopTypingOf(message.user.id);
    this.#upsert(message);
    this.#trim();
    this.changed(false);
  }

  #edited(message: ChatMessage): void {
    if (this.#byId.has(message.id)) this.#upsert(message);
    else this.#keepEarly(message.id, message);
    this.changed(false);
  }

  #deleted(event: Payload<'chat:deleted'>): void {
    const current = this.#byId.get(event.id);
    if (!current) return this.#keepEarly(event.id, { deletedAt: event.deletedAt });
    this.#replace(freezeItem({ ...current, text: '', deletedAt: event.deletedAt }));
    this.changed(false);
  }

  #typingEvent(event: Payload<'chat:typing'>): void {
    if (event.user.id === this.#self?.id) return;
    if (!event.typing) return this.#stopTypingOf(event.user.id);
    this.#typing.get(event.user.id)?.cancel();
    const cancel = this.#timers.set(() => this.#stopTypingOf(event.user.id), this.#typingTimeout);
    this.#typing.set(event.user.id, { user: event.user, cancel });
    this.#typingList = undefined;
    this.changed(false);
  }

  #stopTypingOf(userId: string): void {
    const entry = this.#typing.get(userId);
    if (!entry) return;
    entry.cancel();
    this.#typing.delete(userId);
    this.#typingList = undefined;
    this.changed(false);
  }

  #clearTyping(): void {
    if (this.#typing.size === 0) return;
    for (const entry of this.#typing.values()) entry.cancel();
    this.#typing.clear();
    this.#typingList = undefined;
  }

  #presence(event: Payload<'chat:presence'>): void {
    if ('action' in event) {
      // One user at a time (servers without coalesced presence).
      if (event.action === 'join') this.#members.set(event.user.id, event.user);
      else {
        this.#members.delete(event.user.id);
        this.#stopTypingOf(event.user.id);
      }
      if (this.#memberCount !== null) this.#memberCount = this.#members.size;
      this.#memberList = undefined;
    } else {
      // The whole room after a window of changes: replace, never merge (latest wins).
      this.#setMembers(event.members ?? [], event.count);
      for (const userId of [...this.#typing.keys()]) {
        if (event.members && !this.#members.has(userId)) this.#stopTypingOf(userId);
      }
    }
    this.changed(false);
  }

  #setMembers(members: readonly UserRef[], count: number | null): void {
    this.#members.clear();
    for (const member of members) this.#members.set(member.id, member);
    this.#memberCount = count;
    this.#memberList = undefined;
  }

  #learnSelf(user: UserRef): void {
    rememberSelf(this.#connection, user);
    if (this.#self?.id === user.id) return;
    this.#self = user;
    // `own` depends on who we are: recompute it once.
    for (let i = 0; i < this.#messages.length - this.#localCount; i++) {
      const item = this.#messages.at(i) as ChatItem;
      const own = item.user.id === user.id;
      if (item.own !== own) this.#replace(freezeItem({ ...item, own }), i);
    }
    this.changed(false);
  }

  // --- list bookkeeping -----------------------------------------------------------------

  #keepEarly(id: string, change: ChatMessage | { deletedAt: number }): void {
    const kept = this.#early.get(id);
    // A deletion is final; otherwise the later version wins.
    if (kept && (!('text' in kept) || ('text' in change && !isNewer(change, kept)))) return;
    this.#early.delete(id);
    this.#early.set(id, change);
    if (this.#early.size > EARLY_CHANGES) this.#early.delete(this.#early.keys().next().value!);
  }

  /** `message` with a change that reached us before it, if that one is newer. */
  #withEarly(message: ChatMessage): ChatMessage {
    const change = this.#early.get(message.id);
    if (!change) return message;
    this.#early.delete(message.id);
    if (!('text' in change)) {
      if (message.deletedAt !== undefined) return message;
      return { ...message, text: '', deletedAt: change.deletedAt };
    }
    return isNewer(change, message) ? { ...change, clientId: message.clientId } : message;
  }

  #toItem(message: ChatMessage): ChatItem {
    const { clientId, ...rest } = message;
    return freezeItem({
      ...rest,
      status: 'sent',
      clientId: clientId ?? null,
      error: null,
      own: this.#self !== null && message.user.id === this.#self.id,
    });
  }

  /**
   * Puts a server message in its place by `seq`, or updates the copy we hold (dedupe by id).
   * Our pending item with the same client id is replaced by it, so it never shows twice.
   */
  #upsert(message: ChatMessage, authoritative = false): void {
    const existing = this.#byId.get(message.id);
    if (existing) {
      if (authoritative || isNewer(message, existing)) {
        this.#replace(this.#toItem({ ...message, clientId: existing.clientId ?? undefined }));
      }
      return;
    }
    if (message.clientId !== undefined) {
      const local = this.#findLocal(message.clientId);
      if (local?.item.own) {
        this.#messages.removeAt(local.index);
        this.#localCount -= 1;
      }
    }
    const sent = this.#sentCount();
    const first = sent > 0 ? (this.#messages.at(0) as ChatItem) : undefined;
    // Older than our window while older history exists: it belongs to a page not loaded.
    if (first && this.#hasOlder && message.seq < first.seq) return;
    const item = this.#toItem(this.#withEarly(message));
    this.#byId.set(item.id, item);
    this.#messages.insert(this.#positionOf(message.seq, sent), item);
  }

  /** Index in the sent region where `seq` goes (fast path: after the last). */
  #positionOf(seq: number, sent: number): number {
    const last = sent > 0 ? (this.#messages.at(sent - 1) as ChatItem) : undefined;
    if (!last || last.seq < seq) return sent;
    let lo = 0;
    let hi = sent;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#messages.at(mid) as ChatItem).seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Replaces the sent item with the same id (found by seq) with `item`. */
  #replace(item: ChatItem, index?: number): void {
    const at = index ?? this.#positionOf(item.seq, this.#sentCount());
    const current = this.#messages.at(at);
    if (current?.id !== item.id) return;
    this.#messages.set(at, item);
    this.#byId.set(item.id, item);
  }

  #trim(): void {
    const excess = this.#sentCount() - this.#cap;
    if (excess <= 0) return;
    for (const item of this.#messages.removeFirst(excess)) this.#byId.delete(item.id);
    const first = this.#messages.at(0);
    if (first && first.status === 'sent') {
      this.#cursor = String(first.seq);
      this.#hasOlder = true;
    }
  }

  #findLocal(cid: string): { index: number; item: ChatItem } | undefined {
    for (let i = this.#messages.length - 1; i >= this.#messages.length - this.#localCount; i--) {
      const item = this.#messages.at(i);
      if (item?.clientId === cid && item.status !== 'sent') return { index: i, item };
    }
    return undefined;
  }

  #sentCount(): number {
    return this.#messages.length - this.#localCount;
  }

  #lastSent(): ChatItem | undefined {
    const sent = this.#sentCount();
    return sent > 0 ? this.#messages.at(sent - 1) : undefined;
  }
}

/** Ms to wait before asking again after a `rate_limited` answer; `null` for other errors. */
function rateLimitDelay(error: WireError | WirekitError): number | null {
  if (!isWireCode(error, 'rate_limited')) return null;
  return Math.max(100, ('retryAfterMs' in error && error.retryAfterMs) || 1000);
}

/** Changes kept for messages not held yet (see `#early`). */
const EARLY_CHANGES = 200;

type Versioned = Pick<ChatMessage, 'deletedAt' | 'version' | 'editedAt'>;

function freezeItem(item: ChatItem): ChatItem {
  return Object.freeze(item);
}

/**
 * Is `incoming` a later version of the message than `current` (edit or delete)? A deletion is
 * final. Versions count the store's changes; `editedAt` (a server's clock, which may differ
 * between nodes) only decides for servers that send no version.
 */
function isNewer(incoming: Versioned, current: Versioned): boolean {
  if (current.deletedAt !== undefined) return false;
  if (incoming.deletedAt !== undefined) return true;
  if (incoming.version !== undefined) return incoming.version > (current.version ?? 0);
  return (incoming.editedAt ?? 0) > (current.editedAt ?? 0);
}

/**
 * Creates a {@link ChatRoom}; call `start()` to join.
 *
 * @example
 * const room = createChatRoom(connection, { room: 'lobby', maxMessages: 2000 });
 */
export function createChatRoom(connection: Connection, options: ChatRoomOptions): ChatRoom {
  return new ChatRoom(connection, options);
}
