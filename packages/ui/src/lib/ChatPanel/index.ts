export { default as ChatPanel } from './ChatPanel.svelte';
export { default as ChatComposer } from './Composer.svelte';
export { default as ChatMessageList } from './MessageList.svelte';
export { default as ChatMessageRow } from './MessageRow.svelte';
export { linkify, safeHref, GROUP_WINDOW_MS, type TextSegment } from './format.js';
export type { ChatHeaderContext, ChatMessageContext, ChatPanelProps } from './types.js';
