import { chatLabelsEn, chatLabelsJa } from './chat.js';
import type { WirekitLabels } from './types.js';

/** English labels of every component (the default). */
export const en: WirekitLabels = {
  chat: chatLabelsEn,
};

/** Japanese labels of every component. */
export const ja: WirekitLabels = {
  chat: chatLabelsJa,
};
