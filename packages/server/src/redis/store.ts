import type { ChatMessage, Notification } from '@wirekit/core/protocol';
import type { Cluster, Redis } from 'ioredis';
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
} from '../store/types.js';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** A connected ioredis client, or a `Cluster`. The store never closes it: you own it. */
  client: Redis | Cluster;
  /**
   * Prefix of every key, to share a Redis database with other data.
   * @default 'wk:'
   */
  prefix?: string;
  /**
   * Messages kept per room; older ones are dropped.
   * @default 1000
   */
  maxHistoryPerRoom?: number;
  /**
   * Notifications kept per user; older ones are dropped.
   * @default 200
   */
  maxNotificationsPerUser?: number;
  /**
   * Broadcasts (`notify('all')`) kept for users who connect later; older ones are dropped. At
   * least 1 (the newest is how connected users get it).
   * @default 100
   */
  maxBroadcasts?: number;
  /**
   * Drops a room's history and revision once no message was sent, edited or deleted in it for
   * this long (ms). Without it rooms are kept for good, and with the default `authorizeRoom`
   * (every room) clients can create rooms without bound. Reads do not extend it.
   * @default undefined (kept for good)
   */
  roomTtlMs?: number;
  /**
   * Drops a user's feed once nothing was added to it for this long (ms). Keep it above the
   * server's `broadcastTtlMs`, or a broadcast the user dismissed may come back.
   * @default undefined (kept for good)
   */
  feedTtlMs?: number;
}

/** A count limit the Lua scripts can use: a whole number ≥ 1 (a fraction failed after storing). */
function countOf(value: number | undefined, fallback: number): number {
  if (value === undefined || Number.isNaN(value)) return fallback;
  return Math.max(1, Math.floor(Math.min(value, Number.MAX_SAFE_INTEGER)));
}

/**
 * A user id as it goes in a key's hash tag. Redis Cluster hashes the text between the first
 * `{` and the next `}`: an id starting with `}` would leave it empty, spreading one user's keys
 * over slots (CROSSSLOT in the scripts). Such ids (and, to stay one-to-one, ids starting with
 * `~`) get a leading `~`; every other id keeps the key it always had.
 */
function tagOf(id: string): string {
  return id.startsWith('}') || id.startsWith('~') ? `~${id}` : id;
}

/** A positive integer TTL for PEXPIRE, or 0 for none. */
function ttlOf(ms: number | undefined): number {
  return ms === undefined || !Number.isFinite(ms) || ms <= 0 ? 0 : Math.ceil(ms);
}

// Drops the oldest ids of a sorted set past `max`, with their entries in a hash and in one more
// set (ZREM or SREM), in batches: Lua's unpack() takes about 8000 values at most, and a limit
// lowered by more than that must not break every later write.
const TRIM = `
local function touch(ttl, keys)
  if ttl > 0 then
    for _, key in ipairs(keys) do redis.call('PEXPIRE', key, ttl) end
  end
end
local function trim(idx, max, hash, cmd, other)
  local over = redis.call('ZCARD', idx) - max
  while over > 0 do
    local n = math.min(over, 1000)
    local old = redis.call('ZRANGE', idx, 0, n - 1)
    if #old == 0 then return end
    redis.call('ZREMRANGEBYRANK', idx, 0, n - 1)
    redis.call('HDEL', hash, unpack(old))
    redis.call(cmd, other, unpack(old))
    over = over - n
  end
end
`;

// Appends a message and trims the room, atomically; a known dedupe key returns the stored JSON.
// KEYS: seq, idx (zset seq→id), msg (hash id→json), dedupe, chg (zset rev→id), rev.
// ARGV: id, json without seq, max, dedupe ttl, dedupe?, room ttl (0: none)
const APPEND = `${TRIM}
if ARGV[5] == '1' then
  local seen = redis.call('GET', KEYS[4])
  if seen then return {1, seen} end
end
local seq = redis.call('INCR', KEYS[1])
local json = '{"seq":' .. seq .. ',' .. string.sub(ARGV[2], 2)
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], json)
trim(KEYS[2], tonumber(ARGV[3]), KEYS[3], 'ZREM', KEYS[5])
if ARGV[5] == '1' then redis.call('SET', KEYS[4], json, 'PX', ARGV[4]) end
touch(tonumber(ARGV[6]), {KEYS[1], KEYS[2], KEYS[3], KEYS[5], KEYS[6]})
return {0, json}
`;

// Replaces a message only if it is unchanged since it was read (compare-and-set: a concurrent
// edit or deletion wins, the caller reads again), and records the change under the room's next
// revision. KEYS: msg, rev, chg, seq, idx. ARGV: id, json read, json to write, room ttl.
// Returns the revision, 0 when the message is gone, -1 on a conflict.
const REPLACE = `${TRIM}
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
if current ~= ARGV[2] then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local rev = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[3], rev, ARGV[1])
touch(tonumber(ARGV[4]), KEYS)
return rev
`;

// Adds an unread notification and trims the feed; returns the unread count.
// KEYS: seq, idx (zset seq→id), data (hash id→json), unread (set), mark. ARGV: id, json, max,
// feed ttl (0: none).
const NOTIFY = `${TRIM}
local seq = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[1])
trim(KEYS[2], tonumber(ARGV[3]), KEYS[3], 'SREM', KEYS[4])
touch(tonumber(ARGV[4]), KEYS)
return redis.call('SCARD', KEYS[4])
`;

// Keeps a broadcast; returns its seq. KEYS: seq, log (zset seq→json). ARGV: json, max.
const BROADCAST = `
local seq = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], seq, ARGV[1])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[2])
if over > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1) end
return seq
`;

// Adds the broadcasts newer than the user's mark to their feed and moves the mark, atomically
// per user (the log lives in another slot, so the caller reads it first and passes it in).
// KEYS: seq, idx, data, unread, mark. ARGV: max, feed ttl (0: none), then (broadcast seq, id,
// json) per broadcast, oldest first. Returns { unread, ids added... }.
const DELIVER = `${TRIM}
local mark = tonumber(redis.call('GET', KEYS[5]) or '0')
local added = {}
for i = 3, #ARGV, 3 do
  local bseq = tonumber(ARGV[i])
  if bseq > mark then
    local id = ARGV[i + 1]
    if ARGV[i + 2] ~= '' and redis.call('HEXISTS', KEYS[3], id) == 0 then
      local seq = redis.call('INCR', KEYS[1])
      redis.call('ZADD', KEYS[2], seq, id)
      redis.call('HSET', KEYS[3], id, ARGV[i + 2])
      redis.call('SADD', KEYS[4], id)
      added[#added + 1] = id
    end
    mark = bseq
  end
end
redis.call('SET', KEYS[5], mark)
trim(KEYS[2], tonumber(ARGV[1]), KEYS[3], 'SREM', KEYS[4])
touch(tonumber(ARGV[2]), KEYS)
table.insert(added, 1, redis.call('SCARD', KEYS[4]))
return added
`;

const DAY = 86_400_000;

type ExecResult = [error: Error | null, result: unknown][] | null;

function results(exec: ExecResult): unknown[] {
  if (!exec) throw new Error('redis transaction aborted');
  return exec.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}

/**
 * A {@link WirekitStore} in Redis, shared by every server process: history
 * per room in a sorted set (score = seq) plus a hash of messages, dedupe keys
 * with a TTL, and per user a sorted set, a hash and an unread set. Writes that
 * must be atomic (append + trim + dedupe) run as Lua scripts. Keys of one room
 * or one user share a hash tag, so the scripts also work on Redis Cluster.
 *
 * @example
 * import { Redis } from 'ioredis';
 * import { RedisStore } from '@wirekit/server/redis';
 * const store = new RedisStore({ client: new Redis(process.env.REDIS_URL) });
 * attachWirekit(io, { authenticate, store });
 */
export class RedisStore implements WirekitStore {
  readonly kind = 'redis';
  readonly #redis: Redis | Cluster;
  readonly #prefix: string;
  readonly #maxHistory: number;
  readonly #maxNotifications: number;
  readonly #maxBroadcasts: number;
  readonly #roomTtl: number;
  readonly #feedTtl: number;

  constructor(options: RedisStoreOptions) {
    this.#redis = options.client;
    this.#prefix = options.prefix ?? 'wk:';
    this.#maxHistory = countOf(options.maxHistoryPerRoom, 1000);
    this.#maxNotifications = countOf(options.maxNotificationsPerUser, 200);
    // At least the newest: with none kept, `notify('all')` would reach nobody, not even the
    // users connected now (use `broadcastTtlMs: 0` to not reach later ones).
    this.#maxBroadcasts = countOf(options.maxBroadcasts, 100);
    this.#roomTtl = ttlOf(options.roomTtlMs);
    this.#feedTtl = ttlOf(options.feedTtlMs);
  }

  #room(room: string) {
    const base = `${this.#prefix}chat:{${room}}:`;
    return {
      seq: `${base}seq`,
      idx: `${base}idx`,
      msg: `${base}msg`,
      dedupe: `${base}dd:`,
      rev: `${base}rev`,
      chg: `${base}chg`,
    };
  }

  #feed(userId: string) {
    const base = `${this.#prefix}ntf:{${tagOf(userId)}}:`;
    return {
      seq: `${base}seq`,
      idx: `${base}idx`,
      data: `${base}data`,
      unread: `${base}unread`,
      /** The newest broadcast (by seq) this user has had. */
      mark: `${base}bmark`,
    };
  }

  #broadcasts() {
    const base = `${this.#prefix}ntf-all:{broadcast}:`;
    return { seq: `${base}seq`, log: `${base}log` };
  }

  async appendMessage(message: NewMessage, options: AppendOptions = {}): Promise<AppendResult> {
    const keys = this.#room(message.room);
    // PX takes a positive integer; a bad one would fail the script after it stored the message
    // (Redis does not roll a script back), so the client's retry would store it again.
    const ttl = Math.min(Math.ceil(options.dedupeTtlMs ?? DAY), Number.MAX_SAFE_INTEGER);
    const dedupe = ttl > 0 ? options.dedupeKey : undefined;
    const reply = (await this.#redis.eval(
      APPEND,
      6,
      keys.seq,
      keys.idx,
      keys.msg,
      keys.dedupe + (dedupe ?? ''),
      keys.chg,
      keys.rev,
      message.id,
      JSON.stringify(message),
      this.#maxHistory,
      ttl,
      dedupe === undefined ? '0' : '1',
      this.#roomTtl,
    )) as [number, string];
    return { message: JSON.parse(reply[1]) as ChatMessage, duplicate: reply[0] === 1 };
  }

  async getMessage(room: string, id: string): Promise<ChatMessage | null> {
    const json = await this.#redis.hget(this.#room(room).msg, id);
    return json === null ? null : (JSON.parse(json) as ChatMessage);
  }

  async updateMessage(room: string, id: string, patch: MessagePatch): Promise<ChatMessage | null> {
    const keys = this.#room(room);
    // Another writer may change the message between our read and write: read again. Each
    // round one of n concurrent writers wins, so n writers are done in n rounds.
    for (let attempt = 0; attempt < 100; attempt++) {
      const json = await this.#redis.hget(keys.msg, id);
      if (json === null) return null;
      const current = JSON.parse(json) as ChatMessage;
      if (current.deletedAt !== undefined) return null;
      // The compare-and-set below keeps versions gapless: each one is written once.
      const version = (current.version ?? 0) + 1;
      const next: ChatMessage =
        'deletedAt' in patch
          ? { ...current, text: '', deletedAt: patch.deletedAt, version }
          : { ...current, text: patch.text, editedAt: patch.editedAt, version };
      const rev = Number(
        await this.#redis.eval(
          REPLACE,
          5,
          keys.msg,
          keys.rev,
          keys.chg,
          keys.seq,
          keys.idx,
          id,
          json,
          JSON.stringify(next),
          this.#roomTtl,
        ),
      );
      if (rev > 0) return next;
      if (rev === 0) return null;
    }
    throw new Error(`message ${id} in room ${room} kept changing; update not applied`);
  }

  async revision(room: string): Promise<number> {
    return Number((await this.#redis.get(this.#room(room).rev)) ?? 0);
  }

  async changes(room: string, options: { since: number; limit: number }): Promise<ChangesPage> {
    const keys = this.#room(room);
    const [flat, head] = results(
      await this.#redis
        .multi()
        .zrangebyscore(
          keys.chg,
          `(${options.since}`,
          '+inf',
          'WITHSCORES',
          'LIMIT',
          0,
          options.limit + 1,
        )
        .get(keys.rev)
        .exec(),
    ) as [string[], string | null];
    const entries: { id: string; rev: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      entries.push({ id: flat[i] ?? '', rev: Number(flat[i + 1]) });
    }
    const more = entries.length > options.limit;
    const page = entries.slice(0, options.limit);
    const rev = more ? (page[page.length - 1]?.rev ?? options.since) : Number(head ?? 0);
    if (page.length === 0) return { messages: [], rev, more };
    const jsons = await this.#redis.hmget(keys.msg, ...page.map((e) => e.id));
    const messages = jsons.flatMap((json) =>
      json === null ? [] : [JSON.parse(json) as ChatMessage],
    );
    return { messages, rev, more };
  }

  async history(room: string, options: { before?: string; limit: number }): Promise<HistoryPage> {
    const before = requireCursor(options.before);
    const keys = this.#room(room);
    const max = before === Number.POSITIVE_INFINITY ? '+inf' : `(${before}`;
    const ids = await this.#redis.zrevrangebyscore(
      keys.idx,
      max,
      '-inf',
      'LIMIT',
      0,
      options.limit + 1,
    );
    const more = ids.length > options.limit;
    const pageIds = ids.slice(0, options.limit);
    if (pageIds.length === 0) return { messages: [], nextCursor: null };
    const jsons = await this.#redis.hmget(keys.msg, ...pageIds);
    const messages = jsons
      .flatMap((json) => (json === null ? [] : [JSON.parse(json) as ChatMessage]))
      .reverse();
    const oldest = messages[0];
    return { messages, nextCursor: more && oldest ? String(oldest.seq) : null };
  }

  async addNotification(userId: string, notification: Notification): Promise<number> {
    const keys = this.#feed(userId);
    const { read: _read, ...rest } = notification;
    const unread = await this.#redis.eval(
      NOTIFY,
      5,
      keys.seq,
      keys.idx,
      keys.data,
      keys.unread,
      keys.mark,
      notification.id,
      JSON.stringify(rest),
      this.#maxNotifications,
      this.#feedTtl,
    );
    return Number(unread);
  }

  async addBroadcast(notification: Notification): Promise<void> {
    const keys = this.#broadcasts();
    const { read: _read, ...rest } = notification;
    await this.#redis.eval(
      BROADCAST,
      2,
      keys.seq,
      keys.log,
      JSON.stringify(rest),
      this.#maxBroadcasts,
    );
  }

  async deliverBroadcasts(userId: string, options: { since: number }): Promise<BroadcastDelivery> {
    const keys = this.#feed(userId);
    const mark = Number((await this.#redis.get(keys.mark)) ?? 0);
    const flat = await this.#redis.zrangebyscore(
      this.#broadcasts().log,
      `(${mark}`,
      '+inf',
      'WITHSCORES',
    );
    if (flat.length === 0) return { delivered: [], unread: await this.unreadCount(userId) };
    const byId = new Map<string, Omit<Notification, 'read'>>();
    const args: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const json = flat[i] ?? '';
      const notification = JSON.parse(json) as Omit<Notification, 'read'>;
      // Expired ones still move the mark (empty json): they are never added.
      const fresh = notification.createdAt >= options.since;
      if (fresh) byId.set(notification.id, notification);
      args.push(flat[i + 1] ?? '0', notification.id, fresh ? json : '');
    }
    const [unread, ...added] = (await this.#redis.eval(
      DELIVER,
      5,
      keys.seq,
      keys.idx,
      keys.data,
      keys.unread,
      keys.mark,
      this.#maxNotifications,
      this.#feedTtl,
      ...args,
    )) as [number, ...string[]];
    const delivered = added.flatMap((id) => {
      const notification = byId.get(id);
      return notification ? [{ ...notification, read: false }] : [];
    });
    return { delivered, unread: Number(unread) };
  }

  async listNotifications(
    userId: string,
    options: { before?: string; limit: number },
  ): Promise<NotificationPage> {
    const before = requireCursor(options.before);
    const keys = this.#feed(userId);
    const max = before === Number.POSITIVE_INFINITY ? '+inf' : `(${before}`;
    const flat = await this.#redis.zrevrangebyscore(
      keys.idx,
      max,
      '-inf',
      'WITHSCORES',
      'LIMIT',
      0,
      options.limit + 1,
    );
    const entries: { id: string; seq: string }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      entries.push({ id: flat[i] ?? '', seq: flat[i + 1] ?? '' });
    }
    const more = entries.length > options.limit;
    const page = entries.slice(0, options.limit);
    if (page.length === 0) {
      return { items: [], unread: await this.unreadCount(userId), nextCursor: null };
    }
    const ids = page.map((e) => e.id);
    const [jsons, unreadFlags, unread] = results(
      await this.#redis
        .multi()
        .hmget(keys.data, ...ids)
        .smismember(keys.unread, ...ids)
        .scard(keys.unread)
        .exec(),
    ) as [(string | null)[], number[], number];
    const items: Notification[] = [];
    jsons.forEach((json, i) => {
      if (json === null) return;
      items.push({
        ...(JSON.parse(json) as Omit<Notification, 'read'>),
        read: unreadFlags[i] !== 1,
      });
    });
    const last = page[page.length - 1];
    return { items, unread, nextCursor: more && last ? last.seq : null };
  }

  async markRead(userId: string, ids: readonly string[] | 'all'): Promise<number> {
    const keys = this.#feed(userId);
    if (ids === 'all') {
      await this.#redis.del(keys.unread);
      return 0;
    }
    if (ids.length === 0) return this.unreadCount(userId);
    const [, unread] = results(
      await this.#redis
        .multi()
        .srem(keys.unread, ...ids)
        .scard(keys.unread)
        .exec(),
    );
    return Number(unread);
  }

  async dismiss(userId: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return this.unreadCount(userId);
    const keys = this.#feed(userId);
    const out = results(
      await this.#redis
        .multi()
        .zrem(keys.idx, ...ids)
        .hdel(keys.data, ...ids)
        .srem(keys.unread, ...ids)
        .scard(keys.unread)
        .exec(),
    );
    return Number(out[3]);
  }

  async unreadCount(userId: string): Promise<number> {
    return this.#redis.scard(this.#feed(userId).unread);
  }

  async close(): Promise<void> {
    // The client belongs to the caller.
  }
}
