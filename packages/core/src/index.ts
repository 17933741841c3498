export { createPool, ConnectionPool } from './pool/ConnectionPool.js';
export type {
  Lease,
  PoolConnectionSnapshot,
  PoolOptions,
  PoolSnapshot,
} from './pool/ConnectionPool.js';
export { Connection } from './connection/Connection.js';
export type {
  AckSendOptions,
  AuthCallback,
  AuthPayload,
  ConnectionOptions,
  ConnectionSnapshot,
  ConnectionState,
  Diagnostic,
  EventMap,
  OnOptions,
  SendOptions,
} from './connection/types.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './connection/backoff.js';
export { DEFAULT_HEARTBEAT, type HeartbeatOptions } from './connection/heartbeat.js';
export {
  DEFAULT_OUTBOX,
  Outbox,
  type OutboxEntry,
  type OutboxOptions,
  type OverflowPolicy,
} from './connection/outbox.js';
export { isWirekitError, WirekitError, type WirekitErrorKind } from './errors.js';
export { systemClock, type Clock } from './internal/clock.js';
export { NetworkStatus, networkStatus } from './internal/network.js';
export { socketio, type SocketIoTransportOptions } from './transports/socketio.js';
export { PING_EVENT } from './transports/ping.js';
export { lazyTransport } from './transports/lazy.js';
export {
  websocket,
  type WebSocketConstructor,
  type WebSocketLike,
  type WebSocketTransportOptions,
  type WireFrame,
} from './transports/websocket.js';
export { eventSource, type EventSourceTransportOptions } from './transports/eventSource.js';
export {
  createMemoryServer,
  memory,
  MemoryServer,
  type MemoryPeer,
  type MemoryServerOptions,
} from './transports/memory.js';
export type { LinkHandlers, LinkParams, Transport, TransportLink } from './transports/types.js';
export {
  frameScheduler,
  microtaskScheduler,
  type BatchScheduler,
} from './models/frameScheduler.js';
export { createMessageList, type MessageList } from './models/MessageList.js';
export {
  ChatRoom,
  createChatRoom,
  type ChatItem,
  type ChatItemStatus,
  type ChatRoomOptions,
  type ChatRoomSnapshot,
} from './models/ChatRoom.js';
export {
  createNotificationFeed,
  NotificationFeed,
  type NotificationFeedOptions,
  type NotificationFeedSnapshot,
  type Toast,
} from './models/NotificationFeed.js';
