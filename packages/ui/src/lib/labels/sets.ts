import { bellLabelsEn, bellLabelsJa } from './bell.js';
import { chatLabelsEn, chatLabelsJa } from './chat.js';
import { monitorLabelsEn, monitorLabelsJa } from './monitor.js';
import type { WirekitLabels } from './types.js';

/** English labels of every component (the default). */
export const en: WirekitLabels = {
  chat: chatLabelsEn,
  bell: bellLabelsEn,
  monitor: monitorLabelsEn,
};

/** Japanese labels of every component. */
export const ja: WirekitLabels = {
  chat: chatLabelsJa,
  bell: bellLabelsJa,
  monitor: monitorLabelsJa,
};
