/**
 * `@wirekit/ui`: drop-in Svelte 5 components over `@wirekit/svelte`. Give a pool with
 * `setPool(pool)` in a layout, then add one tag.
 *
 * @module
 */
export { ROOT_CLASS, themeTokens, type ThemeToken } from './theme/index.js';
export {
  bellLabelsEn,
  bellLabelsJa,
  monitorLabelsEn,
  monitorLabelsJa,
  type NotificationBellLabels,
  type ConnectionMonitorLabels,
  chatLabelsEn,
  chatLabelsJa,
  en,
  ja,
  getLabels,
  mergeLabels,
  setLabels,
  type ChatPanelLabels,
  type LabelKey,
  type WirekitLabels,
} from './labels/index.js';
export {
  NotificationBell,
  type NotificationBellProps,
  type NotificationFeedLike,
  type NotificationItemContext,
} from './NotificationBell/index.js';
export {
  ConnectionMonitor,
  type ConnectionMonitorProps,
  type MonitorPosition,
  type PoolMonitorLike,
} from './ConnectionMonitor/index.js';
export {
  ChatPanel,
  ChatComposer,
  ChatMessageList,
  ChatMessageRow,
  linkify,
  safeHref,
  GROUP_WINDOW_MS,
  type ChatHeaderContext,
  type ChatMessageContext,
  type ChatPanelProps,
  type TextSegment,
} from './ChatPanel/index.js';
