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
