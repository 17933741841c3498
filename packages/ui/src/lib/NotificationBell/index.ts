export { default as NotificationBell } from './NotificationBell.svelte';
export type {
  NotificationBellProps,
  NotificationFeedLike,
  NotificationItemContext,
} from './types.js';
