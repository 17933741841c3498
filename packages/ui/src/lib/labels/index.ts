export { bellLabelsEn, bellLabelsJa, type NotificationBellLabels } from './bell.js';
export { monitorLabelsEn, monitorLabelsJa, type ConnectionMonitorLabels } from './monitor.js';
export { chatLabelsEn, chatLabelsJa, type ChatPanelLabels } from './chat.js';
export { getLabels, mergeLabels, setLabels } from './context.js';
export { en, ja } from './sets.js';
export type { LabelKey, WirekitLabels } from './types.js';
