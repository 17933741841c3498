import type * as v from 'valibot';
import type { Ack } from './errors.js';
import type { ProtocolSchemas } from './schemas.js';

type ClientSchemas = ProtocolSchemas['client'];
type ServerSchemas = ProtocolSchemas['server'];
type ResultSchemas = ProtocolSchemas['results'];

/** A user as others see it: the authenticated id and an optional display name. */
export type UserRef = v.InferOutput<ProtocolSchemas['user']>;

/**
 * A stored chat message. `id`, `seq`, `user` and `createdAt` are assigned by
 * the server; `seq` orders messages within a room. A deleted message keeps its
 * place with `text: ''` and `deletedAt` set.
 */
export type ChatMessage = v.InferOutput<ProtocolSchemas['chatMessage']>;

/** What a server passes to `notify()`. */
export type NotificationInput = v.InferOutput<ProtocolSchemas['notificationInput']>;

/** A stored notification of one user. */
export type Notification = v.InferOutput<ProtocolSchemas['notification']>;

/** The name of a client event that carries a payload schema. */
export type ClientEvent = keyof ClientSchemas;
/** The name of a server event that carries a payload schema. */
export type ServerEvent = keyof ServerSchemas;

/**
 * Payload a client sends with each event, after validation (defaults applied).
 *
 * @example
 * const data: ClientPayloads['chat:send'] = { room: 'lobby', text: 'hi', clientId: 'c1' };
 */
export type ClientPayloads = { [E in ClientEvent]: v.InferOutput<ClientSchemas[E]> };

/** Payload a client may send (before defaults are applied). */
export type ClientPayloadInputs = { [E in ClientEvent]: v.InferInput<ClientSchemas[E]> };

/** Payload the server emits with each event. */
export type ServerPayloads = { [E in ServerEvent]: v.InferOutput<ServerSchemas[E]> };

/** Result fields of a successful ack, per client event. */
export type ClientResults = { [E in ClientEvent]: v.InferOutput<ResultSchemas[E]> };

/** The full ack of each client event. */
export type ClientAcks = { [E in ClientEvent]: Ack<ClientResults[E]> };

/** Meta sent as the second argument of a client event. */
export interface EventMeta {
  /** Client id of the message; the server dedupes resends by (user, cid). */
  cid: string;
}

/** Handshake auth a client sends (`socket.handshake.auth`). */
export interface HandshakeAuth {
  token: string;
  /** Protocol version the client speaks; refused if it is not the server's. */
  protocol?: number;
}

export type ChatJoinPayload = ClientPayloads['chat:join'];
export type ChatLeavePayload = ClientPayloads['chat:leave'];
export type ChatSendPayload = ClientPayloads['chat:send'];
export type ChatEditPayload = ClientPayloads['chat:edit'];
export type ChatDeletePayload = ClientPayloads['chat:delete'];
export type ChatTypingPayload = ClientPayloads['chat:typing'];
export type ChatHistoryPayload = ClientPayloads['chat:history'];
export type ChatChangesPayload = ClientPayloads['chat:changes'];
export type NotifyListPayload = ClientPayloads['notify:list'];
export type NotifyReadPayload = ClientPayloads['notify:read'];
export type NotifyDismissPayload = ClientPayloads['notify:dismiss'];

export type ChatJoinResult = ClientResults['chat:join'];
export type ChatSendResult = ClientResults['chat:send'];
export type ChatEditResult = ClientResults['chat:edit'];
export type ChatDeleteResult = ClientResults['chat:delete'];
export type ChatHistoryResult = ClientResults['chat:history'];
export type ChatChangesResult = ClientResults['chat:changes'];
export type NotifyListResult = ClientResults['notify:list'];
export type UnreadResult = ClientResults['notify:read'];

export type HelloEvent = ServerPayloads['wk:hello'];
export type ChatDeletedEvent = ServerPayloads['chat:deleted'];
export type ChatTypingEvent = ServerPayloads['chat:typing'];
/**
 * A presence change: one user (`{ room, user, action }`, servers without coalescing) or the
 * room after a window of changes (`{ room, count, members? }`; `members` absent in rooms over
 * the server's list limit).
 */
export type ChatPresenceEvent = ServerPayloads['chat:presence'];
export type NotifyNewEvent = ServerPayloads['notify:new'];
export type NotifyUnreadEvent = ServerPayloads['notify:unread'];

/**
 * Socket.IO event map of what the server emits, for typed sockets:
 * `Socket<ServerToClientEvents, ClientToServerEvents>` on the client,
 * `Server<ClientToServerEvents, ServerToClientEvents>` on the server.
 */
export type ServerToClientEvents = {
  [E in ServerEvent]: (payload: ServerPayloads[E]) => void;
};

/**
 * Socket.IO event map of what a client emits: `(data, meta?, ack?)`.
 *
 * @example
 * const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url);
 * socket.emit('chat:send', { room: 'lobby', text: 'hi' }, { cid }, (ack) => {});
 */
export type ClientToServerEvents = {
  [E in ClientEvent]: (
    data: ClientPayloadInputs[E],
    meta?: EventMeta,
    ack?: (reply: ClientAcks[E]) => void,
  ) => void;
};
