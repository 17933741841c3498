import {
  NotificationFeed,
  type ConnectionState,
  type NotificationFeedOptions,
  type NotificationFeedSnapshot,
  type Toast,
} from '@wirekit/core';
import type { Notification } from '@wirekit/core/protocol';
import { resolvePool } from './context.js';
import { ModelBinding } from './internal/model-binding.svelte.js';
import type { PoolBindingOptions } from './types.js';

/** Options of {@link useNotificationFeed}: the core `NotificationFeedOptions` plus pool/key. */
export interface UseNotificationFeedOptions extends PoolBindingOptions, NotificationFeedOptions {}

/** The current user's notifications as runes; started on mount, stopped on unmount. */
export class ReactiveNotificationFeed {
  readonly #binding: ModelBinding<null, NotificationFeedSnapshot, NotificationFeed>;

  constructor(options: UseNotificationFeedOptions = {}) {
    const { pool, key = '/', ...rest } = options;
    this.#binding = new ModelBinding(
      resolvePool(pool),
      key,
      () => null,
      (connection) => new NotificationFeed(connection, rest),
    );
  }

  /** The whole core snapshot. */
  get snapshot(): NotificationFeedSnapshot {
    return this.#binding.snapshot;
  }

  /** Notifications, newest first. */
  get items(): readonly Notification[] {
    return this.snapshot.items;
  }

  /** Unread count (kept in step across tabs by the server). */
  get unread(): number {
    return this.snapshot.unread;
  }

  /** Toasts for new notifications; each expires at `expiresAt` unless paused. */
  get toasts(): readonly Toast[] {
    return this.snapshot.toasts;
  }

  /** `idle | loading | ready | error`. */
  get status(): NotificationFeedSnapshot['status'] {
    return this.snapshot.status;
  }

  get error(): NotificationFeedSnapshot['error'] {
    return this.snapshot.error;
  }

  /** Whether more pages exist on the server. */
  get hasMore(): boolean {
    return this.snapshot.hasMore;
  }

  get loadingMore(): boolean {
    return this.snapshot.loadingMore;
  }

  /** The state of the underlying connection. */
  get connection(): ConnectionState {
    return this.snapshot.connection;
  }

  /** Marks one or several notifications read (at once here, then on the server). */
  markRead(id: string | string[]): Promise<void> {
    return this.#call('markRead', (feed) => feed.markRead(id));
  }

  markAllRead(): Promise<void> {
    return this.#call('markAllRead', (feed) => feed.markAllRead());
  }

  /** Removes a notification for good. */
  dismiss(id: string): Promise<void> {
    return this.#call('dismiss', (feed) => feed.dismiss(id));
  }

  /** Hides a toast (the notification stays in `items`). */
  dismissToast(id: string): void {
    this.#binding.live?.dismissToast(id);
  }

  /** Stops a toast's countdown (hover / focus). */
  pauseToast(id: string): void {
    this.#binding.live?.pauseToast(id);
  }

  /** Resumes a paused toast's countdown with the time it had left. */
  resumeToast(id: string): void {
    this.#binding.live?.resumeToast(id);
  }

  /** Fetches the next page. */
  loadMore(): Promise<void> {
    return this.#call('loadMore', (feed) => feed.loadMore());
  }

  /** Stops listening and releases the lease now. Only needed outside a component. */
  dispose(): void {
    this.#binding.dispose();
  }

  async #call(action: string, run: (feed: NotificationFeed) => Promise<void>): Promise<void> {
    await run(this.#binding.require(action));
  }
}

/**
 * A reactive notification feed for the signed-in user.
 *
 * @example
 * ```svelte
 * <script lang="ts">
 *   import { useNotificationFeed } from '@wirekit/svelte';
 *   const feed = useNotificationFeed({ toastDuration: 8000 });
 * </script>
 * <button onclick={() => feed.markAllRead()}>Inbox ({feed.unread})</button>
 * ```
 */
export function useNotificationFeed(
  options?: UseNotificationFeedOptions,
): ReactiveNotificationFeed {
  return new ReactiveNotificationFeed(options);
}
