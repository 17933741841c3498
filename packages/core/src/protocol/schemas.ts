import * as v from 'valibot';
import {
  DEFAULT_LIMITS,
  ID_PATTERN,
  MAX_ID_LENGTH,
  ROOM_NAME_PATTERN,
  type ProtocolLimits,
} from './limits.js';
import { ERROR_CODES } from './errors.js';

const NOTIFICATION_KINDS = ['info', 'success', 'warning', 'error'] as const;

/** Maximum length of a notification title. */
export const MAX_NOTIFICATION_TITLE = 200;
/** Maximum length of a notification body. */
export const MAX_NOTIFICATION_BODY = 2000;
/** Maximum length of a notification link. */
export const MAX_NOTIFICATION_URL = 2048;

/**
 * Builds the valibot schemas of every payload for the given limits. Valibot
 * schemas implement the Standard Schema interface (`schema['~standard']`), so
 * each one can be given to the client as a per-event validator.
 *
 * `client` holds the payloads a client sends (validated by the server);
 * `server` holds the payloads the server emits (validated by a client);
 * `results` holds the result fields of the successful acks.
 *
 * @example
 * const s = createSchemas({ maxTextLength: 500 });
 * v.safeParse(s.client['chat:send'], { room: 'lobby', text: 'hi' }).success; // true
 */
export function createSchemas(overrides: Partial<ProtocolLimits> = {}) {
  const limits: ProtocolLimits = { ...DEFAULT_LIMITS, ...overrides };

  const id = v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`),
    v.regex(ID_PATTERN, 'must contain only letters, digits and _ . : -'),
  );
  const room = v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(limits.maxRoomNameLength, `must be at most ${limits.maxRoomNameLength} characters`),
    v.regex(ROOM_NAME_PATTERN, 'must start with a letter or digit and use only _ . : -'),
  );
  const text = v.pipe(
    v.string(),
    v.maxLength(limits.maxTextLength, `must be at most ${limits.maxTextLength} characters`),
    v.check((s) => s.trim().length > 0, 'must not be blank'),
  );
  const cursor = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID_LENGTH));
  const pageSize = v.pipe(
    v.number(),
    v.integer('must be an integer'),
    v.minValue(1, 'must be at least 1'),
    v.maxValue(limits.maxPageSize, `must be at most ${limits.maxPageSize}`),
  );
  const idBatch = v.pipe(
    v.array(id),
    v.minLength(1, 'must not be empty'),
    v.maxLength(limits.maxBatchSize, `must hold at most ${limits.maxBatchSize} ids`),
  );
  // Up to the largest time a Date holds: past it, `new Date(t).toISOString()` throws in renders.
  const timestamp = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(8.64e15));

  const user = v.object({ id: v.pipe(v.string(), v.minLength(1)), name: v.optional(v.string()) });

  const chatMessage = v.object({
    id,
    room,
    seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
    /** Empty once deleted. */
    text: v.union([text, v.literal('')]),
    user,
    clientId: v.optional(id),
    createdAt: timestamp,
    editedAt: v.optional(timestamp),
    deletedAt: v.optional(timestamp),
    /**
     * How many times the message was changed (edits and the deletion); absent until the first.
     * Clients order changes by it, not by `editedAt`: server clocks may disagree.
     */
    version: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  });

  const notificationInput = v.object({
    title: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_NOTIFICATION_TITLE)),
    body: v.optional(v.pipe(v.string(), v.maxLength(MAX_NOTIFICATION_BODY))),
    kind: v.optional(v.picklist(NOTIFICATION_KINDS)),
    url: v.optional(v.pipe(v.string(), v.maxLength(MAX_NOTIFICATION_URL))),
    data: v.optional(v.record(v.string(), v.unknown())),
  });
  const notification = v.object({
    ...notificationInput.entries,
    id,
    createdAt: timestamp,
    read: v.boolean(),
  });

  const emptyObject = v.optional(v.object({}), {});
  const unread = v.pipe(v.number(), v.integer(), v.minValue(0));
  /** Distinct users in a room. */
  const memberCount = v.pipe(v.number(), v.integer(), v.minValue(0));
  // A room's change counter: bumped by every edit and deletion (0 before the first).
  const rev = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));

  const client = {
    'wk:ping': v.optional(v.unknown()),
    'chat:join': v.object({ room, limit: v.optional(pageSize) }),
    'chat:leave': v.object({ room }),
    'chat:send': v.object({ room, text, clientId: v.optional(id) }),
    'chat:edit': v.object({ room, id, text }),
    'chat:delete': v.object({ room, id }),
    'chat:typing': v.object({ room, typing: v.boolean() }),
    'chat:history': v.object({ room, before: v.optional(cursor), limit: v.optional(pageSize) }),
    'chat:changes': v.object({ room, since: rev, limit: v.optional(pageSize) }),
    'notify:list': v.optional(
      v.object({ before: v.optional(cursor), limit: v.optional(pageSize) }),
      {},
    ),
    'notify:read': v.object({ ids: idBatch }),
    'notify:read-all': emptyObject,
    'notify:dismiss': v.object({ ids: idBatch }),
  } as const;

  const server = {
    'wk:hello': v.object({
      protocol: v.number(),
      user,
      limits: v.object({
        maxTextLength: v.number(),
        maxRoomNameLength: v.number(),
        maxPageSize: v.number(),
        maxBatchSize: v.number(),
      }),
    }),
    'wk:error': v.object({ code: v.picklist(ERROR_CODES), message: v.string() }),
    'chat:message': chatMessage,
    'chat:edited': chatMessage,
    'chat:deleted': v.object({ room, id, deletedAt: timestamp }),
    'chat:typing': v.object({ room, user, typing: v.boolean() }),
    'chat:presence': v.union([
      // One user joined or left (servers before coalesced presence).
      v.object({ room, user, action: v.picklist(['join', 'leave']) }),
      // Coalesced: the room after a window of changes. `members` is the full list of users
      // when the room has at most the server's list limit, else absent (count only).
      v.object({ room, count: memberCount, members: v.optional(v.array(user)) }),
    ]),
    'notify:new': v.object({ notification, unread }),
    'notify:unread': v.object({
      unread,
      read: v.optional(v.array(id)),
      allRead: v.optional(v.boolean()),
      dismissed: v.optional(v.array(id)),
    }),
  } as const;

  const page = { messages: v.array(chatMessage), nextCursor: v.nullable(cursor) };
  const results = {
    'wk:ping': v.object({ t: timestamp }),
    'chat:join': v.object({
      room,
      ...page,
      // Empty when the room is over the server's list limit; `memberCount` still counts.
      members: v.array(user),
      memberCount: v.optional(memberCount),
      // The room's revision when the page was read; absent from servers without change tracking.
      rev: v.optional(rev),
    }),
    'chat:leave': v.object({ room }),
    'chat:send': v.object({ message: chatMessage, duplicate: v.boolean() }),
    'chat:edit': v.object({ message: chatMessage }),
    'chat:delete': v.object({ room, id, deletedAt: timestamp }),
    'chat:typing': v.object({}),
    'chat:history': v.object({ room, ...page }),
    // Messages edited or deleted after `since`, oldest change first. With `more`, ask again
    // from `rev`; without it, `rev` is the room's revision now.
    'chat:changes': v.object({ room, messages: v.array(chatMessage), rev, more: v.boolean() }),
    'notify:list': v.object({
      items: v.array(notification),
      unread,
      nextCursor: v.nullable(cursor),
    }),
    'notify:read': v.object({ unread }),
    'notify:read-all': v.object({ unread }),
    'notify:dismiss': v.object({ unread }),
  } as const;

  return {
    limits,
    user,
    chatMessage,
    notification,
    notificationInput,
    client,
    server,
    results,
  };
}

/** The schemas for {@link DEFAULT_LIMITS}. */
export const schemas = createSchemas();

/** Everything {@link createSchemas} returns. */
export type ProtocolSchemas = ReturnType<typeof createSchemas>;
