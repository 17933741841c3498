/**
 * `@wirekit/server`: the Socket.IO side of the wirekit chat + notification
 * protocol. This entry has no Node-only imports; the Vite plugin, the
 * adapter-node helper and the Redis store live in `@wirekit/server/vite`,
 * `@wirekit/server/node` and `@wirekit/server/redis`.
 *
 * @module
 */
export { attachWirekit } from './attach.js';
export type { AuthContext, WirekitHealth, WirekitOptions, WirekitServer } from './attach.js';
export { ChatService } from './services/chat.js';
export type { ChatServiceOptions } from './services/chat.js';
export type { PresenceSnapshot } from './services/presence.js';
export { NotificationService } from './services/notifications.js';
export type { NotificationServiceOptions, NotifyTarget } from './services/notifications.js';
export { TokenBucket } from './services/token-bucket.js';
export type { TokenBucketOptions } from './services/token-bucket.js';
export { createSession } from './services/session.js';
export type { Session, WirekitUser } from './services/session.js';
export { roomChannel, userChannel } from './services/hub.js';
export type { EmitOptions, Hub, HubSession } from './services/hub.js';
export { LocalHub } from './services/local-hub.js';
export type { Deliver } from './services/local-hub.js';
export { SocketIoHub } from './socketio/hub.js';
export { MemoryStore } from './store/memory.js';
export type { MemoryStoreOptions } from './store/memory.js';
export { InvalidCursorError, parseCursor } from './store/types.js';
export type {
  AppendOptions,
  AppendResult,
  BroadcastDelivery,
  HistoryPage,
  ChangesPage,
  MessagePatch,
  NewMessage,
  NotificationPage,
  WirekitStore,
} from './store/types.js';
export { createId } from './ids.js';
export { getWirekit, registerWirekit } from './global.js';
