import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Connection } from '../connection/Connection.js';
import { WirekitError } from '../errors.js';
import { microtaskScheduler } from './frameScheduler.js';
import {
  createNotificationFeed,
  type NotificationFeed,
  type NotificationFeedOptions,
} from './NotificationFeed.js';
import { createFakeServer, notification } from './test-utils/fakeServer.js';

const flush = () => vi.advanceTimersByTimeAsync(0);

let open: Array<NotificationFeed | Connection> = [];
beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  for (const o of open) {
    if ('dispose' in o) o.dispose();
    else o.close();
  }
  open = [];
  vi.useRealTimers();
});

async function started(options: NotificationFeedOptions = {}) {
  const fake = createFakeServer();
  fake.setNotifications([notification(2), notification(1, { read: true })]);
  const connection = fake.connection();
  const feed = createNotificationFeed(connection, { scheduler: microtaskScheduler, ...options });
  open.push(feed, connection);
  expect(feed.getSnapshot()).toMatchObject({ status: 'idle', items: [], unread: 0 });
  connection.open();
  feed.start();
  await flush();
  expect(feed.getSnapshot().status).toBe('ready');
  return { fake, connection, feed };
}

const pushNew = (fake: ReturnType<typeof createFakeServer>, n: number, unread: number) =>
  fake.emit('notify:new', { notification: notification(n), unread });

describe('NotificationFeed', () => {
  it('loads the list and the unread count on start', async () => {
    const { feed } = await started();
    const s = feed.getSnapshot();
    expect(s.items.map((n) => n.id)).toEqual(['n2', 'n1']);
    expect(s).toMatchObject({ unread: 1, hasMore: false, connection: 'connected', toasts: [] });
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.items)).toBe(true);
  });

  it('prepends new items and toasts them; toasts auto-dismiss after toastDuration', async () => {
    const { fake, feed } = await started({ toastDuration: 5000 });
    pushNew(fake, 3, 2);
    pushNew(fake, 3, 2); // the same one again: no duplicate
    await flush();
    expect(feed.getSnapshot().items.map((n) => n.id)).toEqual(['n3', 'n2', 'n1']);
    expect(feed.getSnapshot().unread).toBe(2);
    expect(feed.getSnapshot().toasts).toEqual([
      { id: 'n3', notification: expect.objectContaining({ id: 'n3' }), expiresAt: 1_005_000 },
    ]);
    expect(feed.timers).toBe(1);
    await vi.advanceTimersByTimeAsync(4999);
    expect(feed.getSnapshot().toasts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(feed.getSnapshot().toasts).toEqual([]);
    expect(feed.getSnapshot().items).toHaveLength(3); // still in the list
    expect(feed.timers).toBe(0);
  });

  it('takes a burst of pushes at O(1) each: one list copy per snapshot, not one per push', async () => {
    const { fake, feed } = await started();
    const freeze = vi.spyOn(Object, 'freeze');
    // A burst between two frames, with a repeat inside it and one of an item already listed.
    for (let n = 3; n < 503; n++) pushNew(fake, n, n);
    pushNew(fake, 400, 500);
    pushNew(fake, 2, 500);
    await flush();
    const copied = freeze.mock.calls
      .map(([value]) => (Array.isArray(value) ? value.length : 0))
      .reduce((sum, length) => sum + length, 0);
    freeze.mockRestore();
    const ids = feed.getSnapshot().items.map((n) => n.id);
    expect(ids).toHaveLength(502);
    expect(ids.slice(0, 3)).toEqual(['n502', 'n501', 'n500']);
    expect(ids.slice(-3)).toEqual(['n3', 'n2', 'n1']);
    expect(new Set(ids).size).toBe(502);
    // A copy of the growing list per push would be ~125,000 elements.
    expect(copied).toBeLessThan(2000);
    // Pushes after a read of the list still dedupe against it.
    pushNew(fake, 502, 500);
    pushNew(fake, 503, 501);
    await flush();
    expect(
      feed
        .getSnapshot()
        .items.map((n) => n.id)
        .slice(0, 2),
    ).toEqual(['n503', 'n502']);
    expect(feed.getSnapshot().items).toHaveLength(503);
  });

  it('keeps a notification pushed while the list request is still in flight', async () => {
    const fake = createFakeServer();
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    // The list was read before the push was stored, but its answer arrives after the push.
    fake.replies.set('notify:list', () =>
      answered.then(() => ({ ok: true, items: [notification(1)], unread: 1, nextCursor: null })),
    );
    const connection = fake.connection();
    const feed = createNotificationFeed(connection, { scheduler: microtaskScheduler });
    open.push(feed, connection);
    connection.open();
    feed.start();
    await flush();
    pushNew(fake, 2, 2);
    await flush();
    answer();
    await flush();
    expect(feed.getSnapshot().items.map((n) => n.id)).toEqual(['n2', 'n1']);
    expect(feed.getSnapshot().unread).toBe(2);
  });

  it('pauses and resumes a toast with the time it had left', async () => {
    const { fake, feed } = await started({ toastDuration: 5000 });
    pushNew(fake, 3, 2);
    await flush();
    await vi.advanceTimersByTimeAsync(3000);
    feed.pauseToast('n3');
    expect(feed.getSnapshot().toasts[0]?.expiresAt).toBeNull();
    expect(feed.timers).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000); // hovered for a minute
    expect(feed.getSnapshot().toasts).toHaveLength(1);
    feed.resumeToast('n3');
    expect(feed.getSnapshot().toasts[0]?.expiresAt).toBe(Date.now() + 2000);
    await vi.advanceTimersByTimeAsync(1999);
    expect(feed.getSnapshot().toasts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(feed.getSnapshot().toasts).toEqual([]);
  });

  it('keeps at most maxToasts; dismissToast hides one', async () => {
    const { fake, feed } = await started({ maxToasts: 2 });
    pushNew(fake, 3, 2);
    pushNew(fake, 4, 3);
    pushNew(fake, 5, 4);
    await flush();
    expect(feed.getSnapshot().toasts.map((t) => t.id)).toEqual(['n4', 'n5']);
    expect(feed.timers).toBe(2);
    feed.dismissToast('n4');
    expect(feed.getSnapshot().toasts.map((t) => t.id)).toEqual(['n5']);
    expect(feed.timers).toBe(1);
  });

  it('marks read optimistically and takes the server count', async () => {
    const { fake, feed } = await started();
    fake.replies.set('notify:read', () => ({ ok: true, unread: 7 }));
    const done = feed.markRead('n2');
    expect(feed.getSnapshot().unread).toBe(0);
    expect(feed.getSnapshot().items[0]?.read).toBe(true);
    await done;
    expect(feed.getSnapshot().unread).toBe(7);
    expect(fake.sent('notify:read')[0]?.data).toEqual({ ids: ['n2'] });
  });

  it('reverts an optimistic change the server refuses', async () => {
    const { fake, feed } = await started();
    const refuse = () => ({ ok: false, error: { code: 'internal', message: 'store down' } });
    fake.replies.set('notify:read-all', refuse);
    fake.replies.set('notify:dismiss', refuse);
    const all = feed.markAllRead();
    expect(feed.getSnapshot().unread).toBe(0);
    await expect(all).rejects.toBeInstanceOf(WirekitError);
    expect(feed.getSnapshot().unread).toBe(1);
    expect(feed.getSnapshot().items[0]?.read).toBe(false);

    const dismissing = feed.dismiss('n2');
    expect(feed.getSnapshot().items.map((n) => n.id)).toEqual(['n1']);
    await expect(dismissing).rejects.toMatchObject({ data: { code: 'internal' } });
    expect(feed.getSnapshot().items.map((n) => n.id)).toEqual(['n2', 'n1']);
    expect(feed.getSnapshot().unread).toBe(1);
  });

  it('applies changes made in another tab (notify:unread)', async () => {
    const { fake, feed } = await started();
    pushNew(fake, 3, 2);
    await flush();
    fake.emit('notify:unread', { unread: 1, read: ['n3'] });
    await flush();
    expect(feed.getSnapshot().unread).toBe(1);
    expect(feed.getSnapshot().items[0]).toMatchObject({ id: 'n3', read: true });
    fake.emit('notify:unread', { unread: 0, dismissed: ['n3'], allRead: true });
    await flush();
    expect(feed.getSnapshot().items.map((n) => n.id)).toEqual(['n2', 'n1']);
    expect(feed.getSnapshot().items.every((n) => n.read)).toBe(true);
    expect(feed.getSnapshot().toasts).toEqual([]);
    expect(feed.timers).toBe(0);
  });

  it('keeps its snapshot offline and reloads after a reconnect', async () => {
    const { fake, feed } = await started();
    for (const peer of fake.server.peers) peer.close();
    await flush();
    expect(feed.getSnapshot()).toMatchObject({ status: 'ready', unread: 1 });
    expect(feed.getSnapshot().connection).not.toBe('connected');
    expect(feed.getSnapshot().items).toHaveLength(2);
    fake.setNotifications([notification(9), notification(2), notification(1, { read: true })]);
    await vi.advanceTimersByTimeAsync(50);
    expect(feed.getSnapshot().connection).toBe('connected');
    expect(feed.getSnapshot().items.map((n) => n.id)).toEqual(['n9', 'n2', 'n1']);
    expect(feed.getSnapshot().unread).toBe(2);
  });

  describe('after a reconnect with older pages loaded', () => {
    const five = () => [5, 4, 3, 2, 1].map((n) => notification(n));
    async function scrolled() {
      const fake = createFakeServer();
      fake.setNotifications(five());
      const connection = fake.connection();
      const feed = createNotificationFeed(connection, {
        scheduler: microtaskScheduler,
        pageSize: 2,
      });
      open.push(feed, connection);
      connection.open();
      feed.start();
      await flush();
      await feed.loadMore();
      await flush();
      expect(feed.getSnapshot().items.map((n) => n.id)).toEqual(['n5', 'n4', 'n3', 'n2']);
      for (const peer of fake.server.peers) peer.close();
      await flush();
      return { fake, feed };
    }
    const ids = (feed: NotificationFeed) => feed.getSnapshot().items.map((n) => n.id);

    it('keeps them when the new first page overlaps them, and pages on from there', async () => {
      const { fake, feed } = await scrolled();
      fake.setNotifications([notification(6), ...five()]);
      await vi.advanceTimersByTimeAsync(50);
      expect(feed.getSnapshot().connection).toBe('connected');
      expect(ids(feed)).toEqual(['n6', 'n5', 'n4', 'n3', 'n2']);
      expect(feed.getSnapshot().hasMore).toBe(true);
      await feed.loadMore();
      await flush();
      expect(ids(feed)).toEqual(['n6', 'n5', 'n4', 'n3', 'n2', 'n1']);
      expect(feed.getSnapshot().hasMore).toBe(false);
    });

    it('shows kept items read when everything was read in another tab meanwhile', async () => {
      const { fake, feed } = await scrolled();
      fake.setNotifications([notification(6), ...five()].map((n) => ({ ...n, read: true })));
      await vi.advanceTimersByTimeAsync(50);
      expect(feed.getSnapshot().connection).toBe('connected');
      expect(feed.getSnapshot().unread).toBe(0);
      const shown = feed.getSnapshot().items;
      expect(shown.filter((n) => !n.read).map((n) => n.id)).toEqual([]);
      expect(shown.length).toBeGreaterThanOrEqual(2);
    });

    it('never shows more unread items than the server counts after a reconnect', async () => {
      const { fake, feed } = await scrolled();
      // Read elsewhere meanwhile: n4 and n3 (kept items below the new first page); n2 is not.
      fake.setNotifications(
        [notification(6, { read: true }), ...five()].map((n) =>
          n.id === 'n4' || n.id === 'n3' || n.id === 'n5' ? { ...n, read: true } : n,
        ),
      );
      await vi.advanceTimersByTimeAsync(50);
      expect(feed.getSnapshot().unread).toBe(2); // n2, n1
      const unreadShown = feed.getSnapshot().items.filter((n) => !n.read);
      expect(unreadShown.length).toBeLessThanOrEqual(2);
      for (const n of unreadShown) expect(['n2', 'n1']).toContain(n.id);
    });

    it('restarts paging from the new first page when it does not overlap (no gap)', async () => {
      const { fake, feed } = await scrolled();
      fake.setNotifications([8, 7, 6].map((n) => notification(n)).concat(five()));
      await vi.advanceTimersByTimeAsync(50);
      expect(ids(feed)).toEqual(['n8', 'n7']);
      await feed.loadMore();
      await flush();
      expect(ids(feed)).toEqual(['n8', 'n7', 'n6', 'n5']);
    });
  });

  it('keeps at most maxItems: the oldest go, and paging ends there', async () => {
    const fake = createFakeServer();
    fake.setNotifications([5, 4, 3, 2, 1].map((n) => notification(n)));
    const connection = fake.connection();
    const feed = createNotificationFeed(connection, {
      scheduler: microtaskScheduler,
      pageSize: 2,
      maxItems: 3,
    });
    open.push(feed, connection);
    connection.open();
    feed.start();
    await flush();
    expect(feed.getSnapshot()).toMatchObject({ hasMore: true });
    for (let n = 6; n <= 50; n++) pushNew(fake, n, n);
    await flush();
    const s = feed.getSnapshot();
    expect(s.items.map((n) => n.id)).toEqual(['n50', 'n49', 'n48']);
    expect(s.hasMore).toBe(false);
    expect(s.unread).toBe(50);
    await feed.loadMore(); // nothing to page past a cut
    await flush();
    expect(fake.sent('notify:list')).toHaveLength(1);
    expect(feed.getSnapshot().items).toHaveLength(3);
  });

  it('drops invalid pushes and counts them', async () => {
    const { fake, feed, connection } = await started();
    fake.emit('notify:new', { notification: { id: 'x', title: '' }, unread: 1 });
    fake.emit('notify:unread', { unread: -4 });
    await flush();
    expect(feed.getSnapshot().unread).toBe(1);
    expect(feed.getSnapshot().items).toHaveLength(2);
    expect(connection.getSnapshot().invalid).toBe(2);
  });

  it('dispose removes every listener and timer', async () => {
    const { fake, feed, connection } = await started();
    pushNew(fake, 3, 2);
    await flush();
    const listener = vi.fn();
    feed.subscribe(listener);
    expect(feed.timers).toBe(1);
    feed.dispose();
    expect(feed.timers).toBe(0);
    expect(connection.getSnapshot().listeners).toBe(0);
    pushNew(fake, 4, 3);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(listener).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('NotificationFeed unread count after a refused change', () => {
  /** Holds the reply to `event` until `refuse()`; a push lands meanwhile. */
  function refusedLater(fake: ReturnType<typeof createFakeServer>, event: string) {
    let refuse!: () => void;
    const refused = new Promise<void>((resolve) => (refuse = resolve));
    fake.replies.set(event, async () => {
      await refused;
      return { ok: false, error: { code: 'internal', message: 'store down' } };
    });
    return () => refuse();
  }

  it.each([
    ['markRead', (feed: NotificationFeed) => feed.markRead('n2'), 'notify:read'],
    ['markAllRead', (feed: NotificationFeed) => feed.markAllRead(), 'notify:read-all'],
    ['dismiss', (feed: NotificationFeed) => feed.dismiss('n2'), 'notify:dismiss'],
  ] as const)('%s: keeps the count the server sent meanwhile', async (_, act, event) => {
    const { fake, feed } = await started();
    expect(feed.getSnapshot().unread).toBe(1); // n2
    const refuse = refusedLater(fake, event);
    const done = act(feed);
    const outcome = expect(done).rejects.toBeInstanceOf(WirekitError);
    expect(feed.getSnapshot().unread).toBe(0);
    await flush();
    // The server never applied the change: n2 and the new n3 are unread there.
    pushNew(fake, 3, 2);
    await flush();
    expect(feed.getSnapshot().unread).toBe(2);
    refuse();
    await flush();
    await outcome;
    expect(feed.getSnapshot().unread).toBe(2);
  });
});

describe('NotificationFeed under the server rate limit', () => {
  it('loads again once the limit allows instead of staying in error', async () => {
    const fake = createFakeServer();
    fake.setNotifications([notification(1)]);
    fake.replies.set('notify:list', () => {
      fake.replies.delete('notify:list');
      return { ok: false, error: { code: 'rate_limited', message: 'slow', retryAfterMs: 400 } };
    });
    const connection = fake.connection();
    const feed = createNotificationFeed(connection, { scheduler: microtaskScheduler });
    open.push(feed, connection);
    connection.open();
    feed.start();
    await flush();
    expect(fake.sent('notify:list')).toHaveLength(1);
    expect(feed.getSnapshot().status).toBe('loading');
    await vi.advanceTimersByTimeAsync(400);
    expect(feed.getSnapshot()).toMatchObject({ status: 'ready', unread: 1, error: null });
    expect(feed.getSnapshot().items.map((n) => n.id)).toEqual(['n1']);
    feed.dispose();
    expect(feed.timers).toBe(0);
  });
});

describe('NotificationFeed: two feeds on one connection', () => {
  it('tells the other about reads and dismissals (the server tells only other sessions)', async () => {
    const { fake, connection, feed } = await started();
    const bell = createNotificationFeed(connection, { scheduler: microtaskScheduler });
    open.push(bell);
    bell.start();
    await flush();
    expect(bell.getSnapshot()).toMatchObject({ status: 'ready', unread: 1 });
    await feed.markRead('n2');
    await flush();
    expect(bell.getSnapshot().unread).toBe(0);
    expect(bell.getSnapshot().items[0]).toMatchObject({ id: 'n2', read: true });
    await feed.dismiss('n1');
    await flush();
    expect(bell.getSnapshot().items.map((n) => n.id)).toEqual(['n2']);
    pushNew(fake, 3, 1);
    await flush();
    await feed.markAllRead();
    await flush();
    expect(bell.getSnapshot().items.every((n) => n.read)).toBe(true);
  });
});

describe('NotificationFeed subscribers that act on a snapshot', () => {
  it('every subscriber ends on the latest snapshot when one of them changes the feed', async () => {
    const { fake, feed } = await started();
    const seen: number[] = [];
    // Marks what it is shown as read (an urgent change from inside a notification).
    feed.subscribe((s) => {
      const unread = s.items.filter((n) => !n.read).map((n) => n.id);
      if (unread.length > 0) void feed.markRead(unread);
    });
    feed.subscribe((s) => seen.push(s.unread));
    fake.replies.set('notify:read', () => undefined); // the ack is slow (or the link is down)
    pushNew(fake, 3, 2);
    await flush();
    expect(feed.getSnapshot().unread).toBe(0);
    expect(seen.at(-1)).toBe(0);
  });
});

describe('NotificationFeed reads made while a reload is in flight', () => {
  it('keeps an item read when the reloaded list was read before the mark', async () => {
    const { fake, feed } = await started();
    for (const peer of fake.server.peers) peer.close();
    await flush();
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const listed = [notification(3), notification(2), notification(1, { read: true })];
    fake.replies.set('notify:list', async () => {
      await answered;
      return { ok: true, items: listed, unread: 2, nextCursor: null };
    });
    // The server answers a socket's events in order: the read after the list.
    fake.replies.set('notify:read', async () => {
      await answered;
      return { ok: true, unread: 1 };
    });
    await vi.advanceTimersByTimeAsync(50);
    expect(feed.getSnapshot().connection).toBe('connected');
    // The user reads n2 while the reload is on its way (its list was read before the mark).
    const reading = feed.markRead('n2');
    answer();
    await reading;
    await flush();
    const s = feed.getSnapshot();
    expect(s.items.map((n) => [n.id, n.read])).toEqual([
      ['n3', false],
      ['n2', true],
      ['n1', true],
    ]);
    expect(s.unread).toBe(1);
  });

  it('keeps a read and a dismissal from another tab heard while the reload is in flight', async () => {
    const { fake, feed } = await started();
    for (const peer of fake.server.peers) peer.close();
    await flush();
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const listed = [notification(3), notification(2), notification(1, { read: true })];
    fake.replies.set('notify:list', async () => {
      await answered;
      return { ok: true, items: listed, unread: 2, nextCursor: null };
    });
    await vi.advanceTimersByTimeAsync(50);
    fake.emit('notify:unread', { unread: 1, read: ['n2'] });
    fake.emit('notify:unread', { unread: 1, dismissed: ['n1'] });
    await flush();
    answer();
    await flush();
    expect(feed.getSnapshot().items.map((n) => [n.id, n.read])).toEqual([
      ['n3', false],
      ['n2', true],
    ]);
  });
});

describe('NotificationFeed options that are not numbers (NaN from a parsed setting)', () => {
  it('use the defaults instead of failing the list or keeping every toast', async () => {
    const { fake, feed } = await started({ pageSize: NaN, maxToasts: NaN, maxItems: NaN });
    expect(fake.sent('notify:list')[0]?.data).toMatchObject({ limit: 50 });
    for (let n = 3; n <= 8; n++) pushNew(fake, n, n);
    await flush();
    expect(feed.getSnapshot().toasts).toHaveLength(3);
  });
});

describe('NotificationFeed markRead of more than one batch', () => {
  it('when a later batch is refused, reverts only what the server did not mark', async () => {
    const fake = createFakeServer();
    fake.setNotifications(Array.from({ length: 150 }, (_, i) => notification(150 - i)));
    const connection = fake.connection();
    const feed = createNotificationFeed(connection, {
      scheduler: microtaskScheduler,
      pageSize: 100,
      maxItems: 1000,
    });
    open.push(feed, connection);
    connection.open();
    feed.start();
    await flush();
    await feed.loadMore();
    expect(feed.getSnapshot().items).toHaveLength(150);
    let calls = 0;
    fake.replies.set('notify:read', () => {
      calls += 1;
      return calls === 1
        ? { ok: true, unread: 50 }
        : { ok: false, error: { code: 'internal', message: 'store down' } };
    });
    const ids = feed.getSnapshot().items.map((n) => n.id);
    await expect(feed.markRead(ids)).rejects.toBeInstanceOf(WirekitError);
    const read = new Set(
      feed
        .getSnapshot()
        .items.filter((n) => n.read)
        .map((n) => n.id),
    );
    // The first 100 were marked on the server; the last 50 were not.
    expect(ids.slice(0, 100).every((id) => read.has(id))).toBe(true);
    expect(ids.slice(100).some((id) => read.has(id))).toBe(false);
    expect(feed.getSnapshot().unread).toBe(50);
  });
});
