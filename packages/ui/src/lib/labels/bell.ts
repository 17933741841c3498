/** Texts of `NotificationBell`; English and Japanese sets are exported. */
export interface NotificationBellLabels {
  /** BCP 47 locale for relative times ("3 minutes ago"). */
  locale: string;
  /** Accessible name of the bell, given the unread count. */
  bell: (unread: number) => string;
  /** Heading and accessible name of the popover. */
  title: string;
  markAllRead: string;
  /** Accessible name of a per-item dismiss button, given the item's title. */
  dismiss: (title: string) => string;
  /** Shown when there is nothing to list. */
  empty: string;
  loading: string;
  /**
   * Shown when the list could not be loaded (not `empty`, which would claim there is nothing).
   * Optional so label sets written before it still type-check; without it, nothing is shown.
   */
  error?: string;
  /** Marks an unread item for screen readers. */
  unread: string;
  /** Accessible name of the toast region. */
  toasts: string;
  /** Accessible name of a toast's close button. */
  closeToast: string;
}

/** English texts of `NotificationBell`. */
export const bellLabelsEn: NotificationBellLabels = {
  locale: 'en',
  bell: (unread) =>
    unread === 0 ? 'Notifications' : `Notifications, ${unread > 99 ? '99+' : unread} unread`,
  title: 'Notifications',
  markAllRead: 'Mark all as read',
  dismiss: (title) => `Dismiss: ${title}`,
  empty: 'You are all caught up.',
  loading: 'Loading…',
  error: 'Could not load notifications.',
  unread: 'Unread',
  toasts: 'New notifications',
  closeToast: 'Close',
};

/** Japanese texts of `NotificationBell`. */
export const bellLabelsJa: NotificationBellLabels = {
  locale: 'ja',
  bell: (unread) => (unread === 0 ? '通知' : `通知、未読 ${unread > 99 ? '99+' : unread} 件`),
  title: '通知',
  markAllRead: 'すべて既読にする',
  dismiss: (title) => `削除: ${title}`,
  empty: '新しい通知はありません。',
  loading: '読み込み中…',
  error: '通知を読み込めませんでした。',
  unread: '未読',
  toasts: '新しい通知',
  closeToast: '閉じる',
};
