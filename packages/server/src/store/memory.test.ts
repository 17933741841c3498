import { describe, expect, it } from 'vitest';
import { storeSuite } from '../test-utils/store-suite.js';
import { MemoryStore } from './memory.js';

storeSuite('memory', (limits) => new MemoryStore(limits));

describe('MemoryStore specifics', () => {
  it('forgets dedupe keys after their TTL', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    const draft = { id: 'a', room: 'r', text: 'x', user: { id: 'u' }, createdAt: 0 };
    await store.appendMessage(draft, { dedupeKey: 'k', dedupeTtlMs: 1000 });
    now = 999;
    expect((await store.appendMessage({ ...draft, id: 'b' }, { dedupeKey: 'k' })).duplicate).toBe(
      true,
    );
    now = 1000;
    expect((await store.appendMessage({ ...draft, id: 'c' }, { dedupeKey: 'k' })).duplicate).toBe(
      false,
    );
  });

  it('drops the least recently written room past maxRooms', async () => {
    const store = new MemoryStore({ maxRooms: 2 });
    const draft = (room: string) => ({
      id: room,
      room,
      text: 'x',
      user: { id: 'u' },
      createdAt: 0,
    });
    await store.appendMessage(draft('a'));
    await store.appendMessage(draft('b'));
    await store.appendMessage({ ...draft('a'), id: 'a2' });
    await store.appendMessage(draft('c'));
    expect(store.stats().rooms).toBe(2);
    expect((await store.history('b', { limit: 10 })).messages).toEqual([]);
    expect((await store.history('a', { limit: 10 })).messages).toHaveLength(2);
  });

  it('drops the least recently written feed past maxFeeds, also for users only given broadcasts', async () => {
    const store = new MemoryStore({ maxFeeds: 2 });
    const note = (id: string) => ({ id, title: id, createdAt: 1, read: false });
    await store.addNotification('a', note('a1'));
    await store.addNotification('b', note('b1'));
    await store.addNotification('a', note('a2'));
    await store.addNotification('c', note('c1'));
    expect(store.stats().feeds).toBe(2);
    expect((await store.listNotifications('b', { limit: 10 })).items).toEqual([]);
    expect((await store.listNotifications('a', { limit: 10 })).items).toHaveLength(2);
    // Every user who merely connects gets the kept broadcasts: that must stay bounded too.
    await store.addBroadcast(note('all1'));
    for (let i = 0; i < 50; i++) await store.deliverBroadcasts(`guest${i}`, { since: 0 });
    expect(store.stats().feeds).toBe(2);
    expect((await store.listNotifications('guest49', { limit: 10 })).items).toHaveLength(1);
  });

  it('returns copies, never its own objects', async () => {
    const store = new MemoryStore();
    const { message } = await store.appendMessage({
      id: 'a',
      room: 'r',
      text: 'x',
      user: { id: 'u' },
      createdAt: 0,
    });
    message.text = 'mutated';
    expect((await store.getMessage('r', 'a'))?.text).toBe('x');
  });
});
