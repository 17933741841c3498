import { ServerEvents, type UserRef } from '@wirekit/core/protocol';
import { roomChannel, type Hub, type HubSession } from './hub.js';

/** What a room looks like after a flush: the join ack and the broadcast carry it. */
export interface PresenceSnapshot {
  /** Distinct users in the room, on every process. */
  count: number;
  /** Every user in the room, or `undefined` when `count` is over the list limit. */
  members: UserRef[] | undefined;
}

/** Options of {@link PresenceBatcher}. */
export interface PresenceBatcherOptions {
  hub: Hub;
  /**
   * How long changes of one room are collected before one `chat:presence` goes out, in ms.
   * @default 50
   */
  windowMs?: number;
  /**
   * Rooms with more users than this get counts only (no member lists) in presence updates and
   * join acks.
   * @default 100
   */
  listLimit?: number;
  /** Called when a flush fails (the hub could not list the room). */
  onError?: (error: unknown, room: string) => void;
}

type Waiter = (snapshot: PresenceSnapshot | Error) => void;

interface RoomBatch {
  /** Sessions that joined in this window, by session id. */
  joined: Map<string, UserRef>;
  /** Sessions that left in this window (and had not joined in it). */
  left: Map<string, UserRef>;
  /** Joins waiting for a listing that started after they joined. */
  waiters: Waiter[];
  /** Ends the broadcast window: the next listing sends the update. */
  windowTimer: ReturnType<typeof setTimeout> | undefined;
  /** The window has ended; the next listing takes the changes and broadcasts. */
  due: boolean;
  /** A listing is scheduled for the next turn of the event loop. */
  listTimer: ReturnType<typeof setTimeout> | undefined;
  /** A listing is running: the next one waits, so snapshots go out in order. */
  listing: boolean;
  /** Views of the room given to acks in this window (`viewOf`): the update must not differ. */
  acked: Set<string>;
}

/** Raised to pending joins when the batcher closes. */
export class PresenceClosedError extends Error {
  constructor() {
    super('presence is closed');
    this.name = 'PresenceClosedError';
  }
}

/**
 * Coalesces presence per room, cluster-wide (rooms are listed through the hub, i.e. the
 * Socket.IO adapter).
 *
 * - Broadcasts: the joins and leaves of one room within `windowMs` become one
 *   `chat:presence { room, count, members? }` snapshot, instead of one event per change
 *   (n² messages when n users join at once).
 * - Join acks: every join waiting for its member list shares the next listing of the room,
 *   which starts on the next turn of the event loop (not after the window: a client joining
 *   rooms one after another is not slowed down). One listing runs at a time per room, and the
 *   next one starts a turn after the last finished, so no update overtakes an older ack.
 *
 * It owns its timers: `close()` clears them and fails the joins still waiting.
 */
export class PresenceBatcher {
  readonly #hub: Hub;
  readonly #windowMs: number;
  readonly #listLimit: number;
  readonly #onError: (error: unknown, room: string) => void;
  readonly #rooms = new Map<string, RoomBatch>();
  #closed = false;
  /** `chat:presence` broadcasts sent by this process. */
  broadcasts = 0;
  /** Listings of a room done by this process (shared by acks and broadcasts). */
  flushes = 0;

  constructor(options: PresenceBatcherOptions) {
    this.#hub = options.hub;
    this.#windowMs = Math.max(0, options.windowMs ?? 50);
    this.#listLimit = Math.max(0, options.listLimit ?? 100);
    this.#onError = options.onError ?? (() => {});
  }

  /** Rooms with a window, listing or waiting join pending (0 after `close()`). */
  get pending(): number {
    return this.#rooms.size;
  }

  /** Records a session's join; `snapshot()` gives the room as the join ack shows it. */
  joined(sessionId: string, user: UserRef, room: string): void {
    const batch = this.#batch(room);
    if (!batch) return;
    batch.left.delete(sessionId);
    batch.joined.set(sessionId, user);
    this.#armWindow(room, batch);
  }

  /** Records a session's leave (or disconnect) from a room. */
  left(sessionId: string, user: UserRef, room: string): void {
    const batch = this.#batch(room);
    if (!batch) return;
    // Even if it joined in this window: an ack (or another process) may have listed it since.
    batch.joined.delete(sessionId);
    batch.left.set(sessionId, user);
    this.#armWindow(room, batch);
  }

  /**
   * The room as listed by the next listing (which starts after every change recorded so far).
   * Rejects with {@link PresenceClosedError} after `close()`, or with the hub's error.
   */
  snapshot(room: string): Promise<PresenceSnapshot> {
    const batch = this.#batch(room);
    if (!batch) return Promise.reject(new PresenceClosedError());
    return new Promise<PresenceSnapshot>((resolve, reject) => {
      batch.waiters.push((result) => (result instanceof Error ? reject(result) : resolve(result)));
      this.#requestListing(room, batch);
    });
  }

  /** Clears every pending timer and fails waiting joins; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = new PresenceClosedError();
    for (const batch of this.#rooms.values()) {
      clearTimeout(batch.windowTimer);
      clearTimeout(batch.listTimer);
      batch.windowTimer = batch.listTimer = undefined;
      for (const waiter of batch.waiters.splice(0)) waiter(error);
    }
    this.#rooms.clear();
  }

  #batch(room: string): RoomBatch | undefined {
    if (this.#closed) return undefined;
    let batch = this.#rooms.get(room);
    if (!batch) {
      batch = {
        joined: new Map(),
        left: new Map(),
        waiters: [],
        windowTimer: undefined,
        due: false,
        listTimer: undefined,
        listing: false,
        acked: new Set(),
      };
      this.#rooms.set(room, batch);
    }
    return batch;
  }

  #armWindow(room: string, batch: RoomBatch): void {
    if (batch.windowTimer !== undefined || batch.due) return;
    batch.windowTimer = setTimeout(() => {
      batch.windowTimer = undefined;
      batch.due = true;
      this.#requestListing(room, batch);
    }, this.#windowMs);
  }

  #requestListing(room: string, batch: RoomBatch): void {
    // A running listing requests the next one when it ends.
    if (batch.listTimer !== undefined || batch.listing) return;
    // Next turn, not now: joins that arrive together share it, and the acks of the last
    // listing (a chain of microtasks) are all on the wire before the next one can broadcast.
    batch.listTimer = setTimeout(() => {
      batch.listTimer = undefined;
      void this.#list(room, batch);
    }, 0);
  }

  async #list(room: string, batch: RoomBatch): Promise<void> {
    const waiters = batch.waiters;
    batch.waiters = [];
    const due = batch.due;
    batch.due = false;
    const joined = due ? batch.joined : new Map<string, UserRef>();
    const left = due ? batch.left : new Map<string, UserRef>();
    const acked = due ? batch.acked : undefined;
    if (due) {
      batch.joined = new Map();
      batch.left = new Map();
      batch.acked = new Set();
    }
    if (joined.size === 0 && left.size === 0 && waiters.length === 0) {
      // A tab joined and left within the window: nothing to list or tell.
      this.#settle(room, batch);
      return;
    }
    batch.listing = true;
    this.flushes += 1;
    let sessions: HubSession[];
    try {
      sessions = await this.#hub.sessions(roomChannel(room));
    } catch (error) {
      if (!this.#closed) this.#onError(error, room);
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const waiter of waiters) waiter(failure);
      if (due && !this.#closed) {
        // Keep the window's changes (newer ones win) and try again a window later.
        for (const [id, user] of joined) {
          if (!batch.joined.has(id) && !batch.left.has(id)) batch.joined.set(id, user);
        }
        for (const [id, user] of left) {
          if (!batch.joined.has(id) && !batch.left.has(id)) batch.left.set(id, user);
        }
        for (const view of acked ?? []) batch.acked.add(view);
        this.#armWindow(room, batch);
      }
      this.#settle(room, batch);
      return;
    }
    if (this.#closed) {
      const error = new PresenceClosedError();
      for (const waiter of waiters) waiter(error);
      return;
    }
    const byUser = new Map<string, UserRef>();
    for (const session of sessions) {
      if (!byUser.has(session.user.id)) byUser.set(session.user.id, session.user);
    }
    const count = byUser.size;
    const snapshot: PresenceSnapshot = {
      count,
      members: count <= this.#listLimit ? [...byUser.values()] : undefined,
    };
    const view = viewOf(snapshot);
    if (waiters.length > 0) batch.acked.add(view);
    // Also when an ack of this window showed the room as it was in between (someone who
    // joined and left again): the update corrects it.
    if (changed(sessions, joined, left) || [...(acked ?? [])].some((v) => v !== view)) {
      this.broadcasts += 1;
      this.#hub.emit(roomChannel(room), ServerEvents.chatPresence, {
        room,
        count,
        ...(snapshot.members ? { members: snapshot.members } : {}),
      });
    }
    for (const waiter of waiters) waiter(snapshot);
    this.#settle(room, batch);
  }

  #settle(room: string, batch: RoomBatch): void {
    batch.listing = false;
    if (this.#closed) return;
    if (batch.waiters.length > 0 || batch.due) this.#requestListing(room, batch);
    else if (
      batch.windowTimer === undefined &&
      batch.listTimer === undefined &&
      this.#rooms.get(room) === batch
    ) {
      this.#rooms.delete(room);
    }
  }
}

/** A short key of what a snapshot shows (count, and the sorted ids when listed). */
function viewOf(snapshot: PresenceSnapshot): string {
  if (!snapshot.members) return String(snapshot.count);
  return `${snapshot.count}\u0000${snapshot.members
    .map((m) => m.id)
    .sort()
    .join('\u0000')}`;
}

/**
 * Did the window change who is in the room? Presence is per user: a second tab joining, or a
 * tab joining and leaving within the window, changes nothing. A user's other session on
 * another process may have joined in the same window there, so it counts as a change (a
 * redundant update is harmless; a missed one is not).
 */
function changed(
  sessions: HubSession[],
  joined: Map<string, UserRef>,
  left: Map<string, UserRef>,
): boolean {
  const touched = new Set<string>();
  for (const user of joined.values()) touched.add(user.id);
  for (const user of left.values()) touched.add(user.id);
  if (touched.size === 0) return false;
  const present = new Set<string>();
  /** Users with a session in the room that was there before this window (or may have been). */
  const before = new Set<string>();
  for (const user of left.values()) before.add(user.id);
  for (const session of sessions) {
    const id = session.user.id;
    if (!touched.has(id)) continue;
    present.add(id);
    if (session.remote) return true;
    if (!joined.has(session.sessionId)) before.add(id);
  }
  for (const id of touched) if (present.has(id) !== before.has(id)) return true;
  return false;
}
