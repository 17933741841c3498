import type { Snippet } from 'svelte';
import type { HTMLAttributes } from 'svelte/elements';
import type { ChatItem, ConnectionPool } from '@wirekit/core';
import type { UserRef } from '@wirekit/core/protocol';
import type { UseChatRoomOptions } from '@wirekit/svelte';
import type { ChatPanelLabels } from '../labels/chat.js';

/** What the `message` snippet receives. */
export interface ChatMessageContext {
  /** The message (with `status`, `own`, `clientId`, `error`). */
  message: ChatItem;
  /** First message of an author group (show the author and avatar). */
  groupStart: boolean;
  /** Sends a failed own message again. */
  retry: () => void;
}

/** What the `header` snippet receives. */
export interface ChatHeaderContext {
  room: string;
  /** Users present in the room (empty in rooms above the server's `presenceListLimit`). */
  members: readonly UserRef[];
  /** Distinct users present, also in rooms too large for a member list. */
  memberCount: number;
  /** The connection state (`connected`, `reconnecting`, …). */
  connection: string;
}

/** Props of {@link ChatPanel}: its own, plus any attribute of the root `<section>`. */
export interface ChatPanelProps extends Omit<HTMLAttributes<HTMLElement>, 'children'> {
  /** The room to show; changing it re-targets the panel (leaves the old room, joins the new one). */
  room: string;
  /**
   * The pool to use.
   * @default the pool from `setPool()` context
   */
  pool?: ConnectionPool;
  /**
   * The pool key (namespace / URL path) the room lives on.
   * @default '/'
   */
  poolKey?: string;
  /**
   * Options of the underlying `useChatRoom` (e.g. `typingTimeout`, `typingThrottle`), read once.
   * @default {}
   */
  roomOptions?: Omit<UseChatRoomOptions, 'pool' | 'key'>;
  /** Overrides of individual texts; the rest come from `setLabels()` context or English. */
  labels?: Partial<ChatPanelLabels>;
  /**
   * Longest message accepted by the composer; a counter shows near the limit.
   * @default 4000
   */
  maxLength?: number;
  /**
   * Placeholder of the text box.
   * @default labels.placeholder ('Write a message…')
   */
  placeholder?: string;
  /**
   * Height of the panel (any CSS length, or pixels as a number).
   * @default '100%' (fill the parent; the parent needs a height)
   */
  height?: string | number;
  /**
   * Locale for times and dates.
   * @default the browser's locale
   */
  locale?: string;
  /** Renders one message instead of the default bubble. */
  message?: Snippet<[ChatMessageContext]>;
  /** Renders the header instead of the default (room name, presence count, connection). */
  header?: Snippet<[ChatHeaderContext]>;
  /** Renders the empty state instead of `labels.empty`. */
  empty?: Snippet;
  /**
   * The root element (bindable).
   * @default undefined
   */
  ref?: HTMLElement | undefined;
}
