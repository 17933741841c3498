/**
 * Version of the chat + notification wire protocol. Bumped on any breaking
 * change of an event name or payload shape; the server announces it in
 * `wk:hello` and refuses a handshake whose `auth.protocol` names another one.
 */
export const PROTOCOL_VERSION = 1;

/**
 * Events a client emits. Every one of them takes an optional ack callback as
 * its last argument and is answered with an {@link Ack}.
 *
 * Wire shape: `socket.emit(event, data, meta?, ack?)` where `meta` is
 * `{ cid: string }` (the client id of the message, used for dedupe).
 *
 * @example
 * socket.emit(ClientEvents.chatSend, { room: 'lobby', text: 'hi' }, { cid }, (ack) => {});
 */
export const ClientEvents = {
  /** Heartbeat; acked at once with `{ ok: true, t }`. */
  ping: 'wk:ping',
  chatJoin: 'chat:join',
  chatLeave: 'chat:leave',
  chatSend: 'chat:send',
  chatEdit: 'chat:edit',
  chatDelete: 'chat:delete',
  /** Volatile: never queued by the client; the ack is optional. */
  chatTyping: 'chat:typing',
  chatHistory: 'chat:history',
  /** Edits and deletions since a room revision: how a rejoining client refreshes what it holds. */
  chatChanges: 'chat:changes',
  notifyList: 'notify:list',
  notifyRead: 'notify:read',
  notifyReadAll: 'notify:read-all',
  notifyDismiss: 'notify:dismiss',
} as const;

/** Events the server emits to clients. */
export const ServerEvents = {
  /** Sent once after a successful handshake: protocol version, the user, limits. */
  hello: 'wk:hello',
  /** A session-level error, e.g. `{ code: 'unauthorized' }` right before a disconnect on token expiry. */
  error: 'wk:error',
  chatMessage: 'chat:message',
  chatEdited: 'chat:edited',
  chatDeleted: 'chat:deleted',
  /** Volatile, throttled per sender and room. */
  chatTyping: 'chat:typing',
  chatPresence: 'chat:presence',
  notifyNew: 'notify:new',
  notifyUnread: 'notify:unread',
} as const;

/** Name of an event a client emits. */
export type ClientEventName = (typeof ClientEvents)[keyof typeof ClientEvents];
/** Name of an event the server emits. */
export type ServerEventName = (typeof ServerEvents)[keyof typeof ServerEvents];
