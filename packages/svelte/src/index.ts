/**
 * `@wirekit/svelte`: Svelte 5 rune wrappers over `@wirekit/core`. Provide a pool once with
 * {@link setPool}; `useConnection`, `useChatRoom`, `useNotificationFeed` and `usePoolMonitor`
 * hold their leases while their component is mounted and are inert during SSR.
 *
 * @module
 */
export { getPool, hasPool, setPool } from './context.js';
export type { MaybeGetter, PoolBindingOptions } from './types.js';
export {
  ReactiveConnection,
  useConnection,
  type UseConnectionOptions,
} from './connection.svelte.js';
export {
  ReactivePoolMonitor,
  usePoolMonitor,
  type MemoryInfo,
  type UsePoolMonitorOptions,
} from './pool-monitor.svelte.js';
export { ReactiveChatRoom, useChatRoom, type UseChatRoomOptions } from './chat-room.svelte.js';
export {
  ReactiveNotificationFeed,
  useNotificationFeed,
  type UseNotificationFeedOptions,
} from './notification-feed.svelte.js';
