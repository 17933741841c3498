import type { Snippet } from 'svelte';
import type { HTMLAttributes } from 'svelte/elements';
import type { ConnectionPool, Toast } from '@wirekit/core';
import type { Notification } from '@wirekit/core/protocol';
import type { ReactiveNotificationFeed } from '@wirekit/svelte';
import type { NotificationBellLabels } from '../labels/bell.js';

/** The feed surface the bell reads: a `useNotificationFeed()` result or anything shaped like it. */
export type NotificationFeedLike = Pick<
  ReactiveNotificationFeed,
  | 'items'
  | 'unread'
  | 'toasts'
  | 'status'
  | 'markRead'
  | 'markAllRead'
  | 'dismiss'
  | 'dismissToast'
  | 'pauseToast'
  | 'resumeToast'
>;

/** What a custom `item` snippet receives. */
export interface NotificationItemContext {
  notification: Notification;
  /** Relative time, e.g. "5 minutes ago". */
  time: string;
  /** The link, if it is http(s) or relative; else `null`. */
  href: string | null;
  /** Marks read (and follows the link, when any). */
  activate: () => void;
  dismiss: () => void;
}

/** Props of `NotificationBell`. */
export interface NotificationBellProps extends Omit<
  HTMLAttributes<HTMLDivElement>,
  'children' | 'title'
> {
  /** The feed to show. @default useNotificationFeed({ pool, key, toastDuration }) */
  feed?: NotificationFeedLike;
  /** Pool of the default feed. @default getPool() */
  pool?: ConnectionPool;
  /** Pool key of the default feed's connection. @default '/' */
  key?: string;
  /** Ms before a toast hides itself; 0 keeps toasts until closed. @default 5000 */
  toastDuration?: number;
  /** Whether to show toasts for new notifications. @default true */
  toasts?: boolean;
  /** Plays a short beep (Web Audio, no asset) for each new notification. @default false */
  sound?: boolean;
  /** Whether the popover is open. Bindable. @default false */
  open?: boolean;
  /** The root element. Bindable. @default null */
  ref?: HTMLDivElement | null;
  /** Texts. Partial sets are merged over English. @default the context set (`setLabels`) or English */
  labels?: Partial<NotificationBellLabels>;
  /** Renders one list item's content (inside its `<li>`) instead of the default. */
  item?: Snippet<[NotificationItemContext]>;
  /** Renders one toast's content instead of the default. */
  toast?: Snippet<[Toast, NotificationItemContext]>;
  /** Renders the empty state instead of `labels.empty`. */
  empty?: Snippet;
  /** Renders the bell icon instead of the default SVG. */
  icon?: Snippet<[{ unread: number }]>;
  /** Called after an item was activated (before the link is followed). */
  onactivate?: (notification: Notification) => void;
}
