import type { NotificationBellLabels } from './bell.js';
import type { ChatPanelLabels } from './chat.js';
import type { ConnectionMonitorLabels } from './monitor.js';

/**
 * One locale's labels for every component, keyed by component. Each component also takes a
 * `labels` prop (a partial of its own entry) that wins over this set.
 */
export interface WirekitLabels {
  chat: ChatPanelLabels;
  bell: NotificationBellLabels;
  monitor: ConnectionMonitorLabels;
}

/** The label keys of one component, e.g. `LabelKey<'chat'>`. */
export type LabelKey<C extends keyof WirekitLabels> = keyof WirekitLabels[C];
