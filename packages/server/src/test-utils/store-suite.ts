import type { ChatMessage, Notification } from '@wirekit/core/protocol';
import { describe, expect, it } from 'vitest';
import { InvalidCursorError, type NewMessage, type WirekitStore } from '../store/types.js';

/** Limits a store factory must honour for the shared suite. */
export interface SuiteLimits {
  maxHistoryPerRoom: number;
  maxNotificationsPerUser: number;
  maxBroadcasts: number;
}

let n = 0;
function draft(room: string, text: string, user = 'alice'): NewMessage {
  n += 1;
  return { id: `m${n}-${room}`, room, text, user: { id: user }, createdAt: 1_700_000_000_000 + n };
}

function note(title: string): Notification {
  n += 1;
  return { id: `n${n}`, title, createdAt: 1_700_000_000_000 + n, read: false };
}

/**
 * The behaviour every {@link WirekitStore} must have. Run it for each
 * implementation with a factory that returns an empty store.
 */
export function storeSuite(
  name: string,
  create: (limits: SuiteLimits) => Promise<WirekitStore> | WirekitStore,
): void {
  const make = (limits: Partial<SuiteLimits> = {}) =>
    create({
      maxHistoryPerRoom: 1000,
      maxNotificationsPerUser: 200,
      maxBroadcasts: 100,
      ...limits,
    });

  describe(`${name} store: chat history`, () => {
    it('assigns increasing seq numbers per room', async () => {
      const store = await make();
      const a1 = await store.appendMessage(draft('a', 'one'));
      const a2 = await store.appendMessage(draft('a', 'two'));
      const b1 = await store.appendMessage(draft('b', 'one'));
      expect([a1.message.seq, a2.message.seq, b1.message.seq]).toEqual([1, 2, 1]);
      expect(a1.duplicate).toBe(false);
      expect(a1.message).toMatchObject({ room: 'a', text: 'one', user: { id: 'alice' } });
    });

    it('keeps seq unique under concurrent appends', async () => {
      const store = await make();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.appendMessage(draft('busy', `m${i}`))),
      );
      expect(results.map((r) => r.message.seq).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    });

    it('dedupes by key and returns the first message', async () => {
      const store = await make();
      const first = await store.appendMessage(draft('r', 'hello'), { dedupeKey: 'alice\u0000c1' });
      const again = await store.appendMessage(draft('r', 'hello (resent)'), {
        dedupeKey: 'alice\u0000c1',
      });
      const other = await store.appendMessage(draft('r', 'hello', 'bob'), {
        dedupeKey: 'bob\u0000c1',
      });
      expect(again).toEqual({ message: first.message, duplicate: true });
      expect(other.duplicate).toBe(false);
      expect(other.message.seq).toBe(2);
      const page = await store.history('r', { limit: 10 });
      expect(page.messages.map((m) => m.text)).toEqual(['hello', 'hello']);
    });

    it('dedupes per room: the same key in another room is a new message there', async () => {
      const store = await make();
      const inA = await store.appendMessage(draft('a', 'one'), { dedupeKey: 'alice\u0000c1' });
      const inB = await store.appendMessage(draft('b', 'two'), { dedupeKey: 'alice\u0000c1' });
      expect(inB.duplicate).toBe(false);
      expect(inB.message).toMatchObject({ room: 'b', text: 'two', seq: 1 });
      expect((await store.history('b', { limit: 10 })).messages).toEqual([inB.message]);
      const again = await store.appendMessage(draft('a', 'one'), { dedupeKey: 'alice\u0000c1' });
      expect(again).toEqual({ message: inA.message, duplicate: true });
    });

    it('takes any dedupe TTL: 0 remembers nothing, a fraction of a ms is fine', async () => {
      const store = await make();
      const none = { dedupeKey: 'alice\u0000ttl0', dedupeTtlMs: 0 };
      expect((await store.appendMessage(draft('t', 'a'), none)).duplicate).toBe(false);
      expect((await store.appendMessage(draft('t', 'a'), none)).duplicate).toBe(false);
      const odd = { dedupeKey: 'alice\u0000odd', dedupeTtlMs: 90_000.5 };
      expect((await store.appendMessage(draft('t', 'b'), odd)).duplicate).toBe(false);
      expect((await store.appendMessage(draft('t', 'b'), odd)).duplicate).toBe(true);
      const forever = { dedupeKey: 'alice\u0000forever', dedupeTtlMs: Number.POSITIVE_INFINITY };
      expect((await store.appendMessage(draft('t', 'c'), forever)).duplicate).toBe(false);
      expect((await store.appendMessage(draft('t', 'c'), forever)).duplicate).toBe(true);
      expect((await store.history('t', { limit: 10 })).messages.map((m) => m.text)).toEqual([
        'a',
        'a',
        'b',
        'c',
      ]);
    });

    it('pages history backwards with cursors, oldest first within a page', async () => {
      const store = await make();
      for (let i = 1; i <= 25; i++) await store.appendMessage(draft('p', `m${i}`));
      const texts = (page: { messages: ChatMessage[] }) => page.messages.map((m) => m.text);
      const p1 = await store.history('p', { limit: 10 });
      expect(texts(p1)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 16}`));
      expect(p1.nextCursor).toBe('16');
      const p2 = await store.history('p', { limit: 10, before: p1.nextCursor ?? undefined });
      expect(texts(p2)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 6}`));
      const p3 = await store.history('p', { limit: 10, before: p2.nextCursor ?? undefined });
      expect(texts(p3)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
      expect(p3.nextCursor).toBeNull();
      const exact = await store.history('p', { limit: 5, before: '6' });
      expect(texts(exact)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
      expect(exact.nextCursor).toBeNull();
      expect(await store.history('nowhere', { limit: 10 })).toEqual({
        messages: [],
        nextCursor: null,
      });
    });

    it('rejects a malformed cursor', async () => {
      const store = await make();
      await expect(store.history('p', { limit: 10, before: 'abc' })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });

    it('keeps at most maxHistoryPerRoom messages', async () => {
      const store = await make({ maxHistoryPerRoom: 5 });
      for (let i = 1; i <= 8; i++) await store.appendMessage(draft('small', `m${i}`));
      const page = await store.history('small', { limit: 100 });
      expect(page.messages.map((m) => m.text)).toEqual(['m4', 'm5', 'm6', 'm7', 'm8']);
      expect(page.nextCursor).toBeNull();
      const first = page.messages[0];
      expect(first && (await store.getMessage('small', first.id))).toEqual(first);
    });

    it('gets, edits and deletes a message in place', async () => {
      const store = await make();
      const { message } = await store.appendMessage(draft('e', 'typo'));
      await store.appendMessage(draft('e', 'after'));
      expect(await store.getMessage('e', message.id)).toEqual(message);
      expect(await store.getMessage('e', 'missing')).toBeNull();
      expect(await store.getMessage('other', message.id)).toBeNull();
      const edited = await store.updateMessage('e', message.id, { text: 'fixed', editedAt: 5 });
      expect(edited).toEqual({ ...message, text: 'fixed', editedAt: 5, version: 1 });
      const deleted = await store.updateMessage('e', message.id, { deletedAt: 6 });
      expect(deleted).toMatchObject({ id: message.id, seq: 1, text: '', deletedAt: 6, version: 2 });
      const page = await store.history('e', { limit: 10 });
      expect(page.messages.map((m) => m.text)).toEqual(['', 'after']);
      expect(await store.updateMessage('e', 'missing', { deletedAt: 1 })).toBeNull();
    });
  });

  describe(`${name} store: deletion is final`, () => {
    it('never edits a deleted message back to life, nor moves its deletion', async () => {
      const store = await make();
      const { message } = await store.appendMessage(draft('fin', 'secret'));
      expect(await store.updateMessage('fin', message.id, { deletedAt: 10 })).not.toBeNull();
      expect(
        await store.updateMessage('fin', message.id, { text: 'back', editedAt: 11 }),
      ).toBeNull();
      expect(await store.updateMessage('fin', message.id, { deletedAt: 12 })).toBeNull();
      expect(await store.getMessage('fin', message.id)).toMatchObject({ text: '', deletedAt: 10 });
      expect(await store.revision?.('fin')).toBe(1);
    });

    it('concurrent edits and a deletion: every applied change counted, the deletion wins', async () => {
      const store = await make();
      const { message } = await store.appendMessage(draft('race', 'v0'));
      const ops = Array.from({ length: 21 }, (_, i) =>
        i === 10
          ? store.updateMessage('race', message.id, { deletedAt: 100 })
          : store.updateMessage('race', message.id, { text: `v${i + 1}`, editedAt: i + 1 }),
      );
      const results = await Promise.all(ops);
      expect(results[10]).toMatchObject({ text: '', deletedAt: 100 });
      const stored = await store.getMessage('race', message.id);
      expect(stored).toMatchObject({ text: '', deletedAt: 100 });
      const applied = results.filter((r) => r !== null);
      expect(await store.revision?.('race')).toBe(applied.length);
      // Each applied change got its own version, with no gaps: clients can order them by it.
      expect(applied.map((r) => r?.version).sort((a, b) => a! - b!)).toEqual(
        Array.from({ length: applied.length }, (_, i) => i + 1),
      );
      expect(stored?.version).toBe(applied.length);
      // Nothing applied after the deletion: each edit that reports success came before it.
      const page = await store.changes?.('race', { since: 0, limit: 10 });
      expect(page?.messages).toEqual([stored]);
    });
  });

  describe(`${name} store: change tracking`, () => {
    const tracked = async (limits: Partial<SuiteLimits> = {}) => {
      const store = await make(limits);
      if (!store.revision || !store.changes) throw new Error(`${name} does not track changes`);
      return {
        store,
        revision: store.revision.bind(store),
        changes: store.changes.bind(store),
      };
    };

    it('bumps the room revision on every edit and deletion, not on appends or misses', async () => {
      const { store, revision } = await tracked();
      expect(await revision('rv')).toBe(0);
      const { message } = await store.appendMessage(draft('rv', 'one'));
      await store.appendMessage(draft('rv', 'two'));
      expect(await revision('rv')).toBe(0);
      await store.updateMessage('rv', message.id, { text: 'one!', editedAt: 5 });
      await store.updateMessage('rv', message.id, { deletedAt: 6 });
      await store.updateMessage('rv', 'missing', { deletedAt: 7 });
      expect(await revision('rv')).toBe(2);
      expect(await revision('other-room')).toBe(0);
    });

    it('lists each changed message once, in its latest state, oldest change first', async () => {
      const { store, revision, changes } = await tracked();
      const ids: string[] = [];
      for (let i = 1; i <= 4; i++) {
        ids.push((await store.appendMessage(draft('ch', `m${i}`))).message.id);
      }
      const [a = '', b = '', c = ''] = ids;
      await store.updateMessage('ch', a, { text: 'a1', editedAt: 1 });
      const since = await revision('ch');
      await store.updateMessage('ch', b, { text: 'b1', editedAt: 2 });
      await store.updateMessage('ch', c, { deletedAt: 3 });
      await store.updateMessage('ch', b, { text: 'b2', editedAt: 4 });

      const page = await changes('ch', { since, limit: 10 });
      expect(page.messages.map((m) => [m.id, m.text])).toEqual([
        [c, ''],
        [b, 'b2'],
      ]);
      expect(page.messages[0]?.deletedAt).toBe(3);
      expect(page).toMatchObject({ rev: 4, more: false });
      expect(await changes('ch', { since: 0, limit: 10 })).toMatchObject({ rev: 4, more: false });
      expect((await changes('ch', { since: 4, limit: 10 })).messages).toEqual([]);
      expect(await changes('nowhere', { since: 0, limit: 10 })).toEqual({
        messages: [],
        rev: 0,
        more: false,
      });
    });

    it('pages changes by revision with more and rev', async () => {
      const { store, changes } = await tracked();
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++) {
        const { message } = await store.appendMessage(draft('cp', `m${i}`));
        ids.push(message.id);
        await store.updateMessage('cp', message.id, { text: `e${i}`, editedAt: i });
      }
      const seen: string[] = [];
      let since = 0;
      let pages = 0;
      for (;;) {
        const page = await changes('cp', { since, limit: 2 });
        pages += 1;
        seen.push(...page.messages.map((m) => m.text));
        expect(page.rev).toBeGreaterThan(since);
        since = page.rev;
        if (!page.more) break;
      }
      expect(seen).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
      expect(pages).toBe(3);
      expect(since).toBe(5);
    });

    it('forgets changes of messages trimmed from history', async () => {
      const { store, changes } = await tracked({ maxHistoryPerRoom: 3 });
      const first = (await store.appendMessage(draft('ct', 'm1'))).message;
      await store.updateMessage('ct', first.id, { text: 'm1!', editedAt: 1 });
      const second = (await store.appendMessage(draft('ct', 'm2'))).message;
      await store.updateMessage('ct', second.id, { text: 'm2!', editedAt: 2 });
      for (let i = 3; i <= 4; i++) await store.appendMessage(draft('ct', `m${i}`));
      const page = await changes('ct', { since: 0, limit: 10 });
      expect(page.messages.map((m) => m.text)).toEqual(['m2!']);
      expect(page.rev).toBe(2);
    });
  });

  describe(`${name} store: notifications`, () => {
    it('counts unread, lists newest first with cursors and read flags', async () => {
      const store = await make();
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++) {
        const item = note(`t${i}`);
        ids.push(item.id);
        expect(await store.addNotification('alice', item)).toBe(i);
      }
      expect(await store.markRead('alice', [ids[0] ?? '', 'unknown'])).toBe(4);
      const p1 = await store.listNotifications('alice', { limit: 3 });
      expect(p1.items.map((x) => x.title)).toEqual(['t5', 't4', 't3']);
      expect(p1.unread).toBe(4);
      expect(p1.nextCursor).not.toBeNull();
      const p2 = await store.listNotifications('alice', {
        limit: 3,
        before: p1.nextCursor ?? undefined,
      });
      expect(p2.items.map((x) => [x.title, x.read])).toEqual([
        ['t2', false],
        ['t1', true],
      ]);
      expect(p2.nextCursor).toBeNull();
      expect(p2.items[1]).toEqual({
        id: ids[0],
        title: 't1',
        createdAt: expect.any(Number),
        read: true,
      });
    });

    it('keeps feeds per user', async () => {
      const store = await make();
      await store.addNotification('alice', note('for alice'));
      expect(await store.unreadCount('bob')).toBe(0);
      expect(await store.listNotifications('bob', { limit: 10 })).toEqual({
        items: [],
        unread: 0,
        nextCursor: null,
      });
      expect(await store.markRead('bob', 'all')).toBe(0);
      expect(await store.unreadCount('alice')).toBe(1);
    });

    it('marks all read and dismisses', async () => {
      const store = await make();
      const a = note('a');
      const b = note('b');
      const c = note('c');
      for (const item of [a, b, c]) await store.addNotification('u', item);
      expect(await store.dismiss('u', [b.id, 'unknown'])).toBe(2);
      expect((await store.listNotifications('u', { limit: 10 })).items.map((x) => x.id)).toEqual([
        c.id,
        a.id,
      ]);
      expect(await store.markRead('u', 'all')).toBe(0);
      expect(await store.unreadCount('u')).toBe(0);
      const after = await store.listNotifications('u', { limit: 10 });
      expect(after.items.every((x) => x.read)).toBe(true);
      expect(await store.addNotification('u', note('d'))).toBe(1);
    });

    it('keeps at most maxNotificationsPerUser, dropping the oldest', async () => {
      const store = await make({ maxNotificationsPerUser: 3 });
      for (let i = 1; i <= 5; i++) await store.addNotification('u', note(`t${i}`));
      const page = await store.listNotifications('u', { limit: 10 });
      expect(page.items.map((x) => x.title)).toEqual(['t5', 't4', 't3']);
      expect(page.unread).toBe(3);
    });

    it('keeps optional fields', async () => {
      const store = await make();
      const rich: Notification = {
        ...note('rich'),
        body: 'body',
        kind: 'warning',
        url: '/x',
        data: { a: 1, nested: { b: [1, 2] } },
      };
      await store.addNotification('u', rich);
      expect((await store.listNotifications('u', { limit: 1 })).items[0]).toEqual(rich);
    });
  });

  describe(`${name} store: broadcasts`, () => {
    const broadcasting = async (limits: Partial<SuiteLimits> = {}) => {
      const store = await make(limits);
      if (!store.addBroadcast || !store.deliverBroadcasts) {
        throw new Error(`${name} does not keep broadcasts`);
      }
      return {
        store,
        add: store.addBroadcast.bind(store),
        deliver: (user: string, since = 0) => store.deliverBroadcasts!(user, { since }),
      };
    };
    const titles = (items: readonly Notification[]) => items.map((x) => x.title);

    it('adds each broadcast to a user once, oldest first, after what they had', async () => {
      const { store, add, deliver } = await broadcasting();
      await store.addNotification('u', note('own'));
      expect(await deliver('u')).toEqual({ delivered: [], unread: 1 });
      const b1 = note('b1');
      await add(b1);
      await add(note('b2'));
      const first = await deliver('u');
      expect(first.delivered[0]).toEqual(b1);
      expect(titles(first.delivered)).toEqual(['b1', 'b2']);
      expect(first.unread).toBe(3);
      expect(await deliver('u')).toEqual({ delivered: [], unread: 3 });
      const page = await store.listNotifications('u', { limit: 10 });
      expect(titles(page.items)).toEqual(['b2', 'b1', 'own']);
      // Another user gets them too, independently.
      expect(titles((await deliver('v')).delivered)).toEqual(['b1', 'b2']);
      await add(note('b3'));
      expect(titles((await deliver('u')).delivered)).toEqual(['b3']);
    });

    it('never brings back a dismissed broadcast, nor a read one as unread', async () => {
      const { store, add, deliver } = await broadcasting();
      const b1 = note('b1');
      const b2 = note('b2');
      await add(b1);
      await add(b2);
      await deliver('u');
      await store.dismiss('u', [b1.id]);
      await store.markRead('u', [b2.id]);
      expect(await deliver('u')).toEqual({ delivered: [], unread: 0 });
      const page = await store.listNotifications('u', { limit: 10 });
      expect(page.items).toEqual([{ ...b2, read: true }]);
    });

    it('skips broadcasts older than `since` and keeps at most maxBroadcasts', async () => {
      const { add, deliver } = await broadcasting({ maxBroadcasts: 3 });
      for (let i = 1; i <= 5; i++) await add(note(`b${i}`));
      // b1 and b2 were dropped from the store's log.
      expect(titles((await deliver('u')).delivered)).toEqual(['b3', 'b4', 'b5']);
      const old = note('old');
      await add(old);
      await add(note('new'));
      expect(titles((await deliver('v', old.createdAt + 1)).delivered)).toEqual(['new']);
      // An expired broadcast is not delivered later either.
      expect((await deliver('v')).delivered).toEqual([]);
    });

    it('keeps the newest broadcast even with maxBroadcasts 0, so connected users get it', async () => {
      const { add, deliver } = await broadcasting({ maxBroadcasts: 0 });
      await add(note('b1'));
      await add(note('b2'));
      expect(titles((await deliver('u')).delivered)).toEqual(['b2']);
    });

    it('delivers once under concurrent calls for one user', async () => {
      const { store, add, deliver } = await broadcasting();
      for (let i = 1; i <= 5; i++) await add(note(`b${i}`));
      const results = await Promise.all(Array.from({ length: 8 }, () => deliver('u')));
      const all = results.flatMap((r) => r.delivered);
      expect(titles(all).sort()).toEqual(['b1', 'b2', 'b3', 'b4', 'b5']);
      expect(await store.unreadCount('u')).toBe(5);
      expect((await store.listNotifications('u', { limit: 10 })).items).toHaveLength(5);
    });
  });
}
