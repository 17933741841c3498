import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { storeSuite } from '../test-utils/store-suite.js';
import { RedisStore } from './store.js';

let client: Redis;
let db = 0;

beforeAll(() => {
  client = new Redis(inject('redisUrl'), { lazyConnect: false });
});
afterAll(async () => {
  await client.quit();
});

// Each store gets its own key prefix, so tests never see each other's data.
storeSuite('redis', (limits) => new RedisStore({ client, prefix: `test${++db}:`, ...limits }));

describe('RedisStore specifics', () => {
  it('keeps its keys under the prefix and shares data between instances', async () => {
    const prefix = `shared${++db}:`;
    const a = new RedisStore({ client, prefix });
    const other = client.duplicate();
    const b = new RedisStore({ client: other, prefix });
    const { message } = await a.appendMessage({
      id: 'x1',
      room: 'r',
      text: 'hi',
      user: { id: 'u' },
      createdAt: 1,
    });
    expect(await b.getMessage('r', 'x1')).toEqual(message);
    const keys = await client.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(prefix))).toBe(true);
    await other.quit();
  });

  it('trims far past the Lua unpack limit when maxHistoryPerRoom or maxNotificationsPerUser is lowered', async () => {
    const prefix = `shrink${++db}:`;
    const big = new RedisStore({ client, prefix, maxHistoryPerRoom: 20_000 });
    const count = 9_000; // more than Lua's unpack() takes at once (~8000)
    const seed = client.pipeline();
    for (let i = 1; i <= count; i++) {
      const id = `m${i}`;
      const json = JSON.stringify({
        seq: i,
        id,
        room: 'r',
        text: 't',
        user: { id: 'u' },
        createdAt: i,
      });
      seed.zadd(`${prefix}chat:{r}:idx`, i, id).hset(`${prefix}chat:{r}:msg`, id, json);
      seed.zadd(`${prefix}ntf:{u}:idx`, i, `n${i}`).hset(`${prefix}ntf:{u}:data`, `n${i}`, '{}');
      seed.sadd(`${prefix}ntf:{u}:unread`, `n${i}`);
    }
    seed.set(`${prefix}chat:{r}:seq`, count).set(`${prefix}ntf:{u}:seq`, count);
    await seed.exec();
    expect((await big.history('r', { limit: 1 })).messages[0]?.seq).toBe(count);

    const small = new RedisStore({
      client,
      prefix,
      maxHistoryPerRoom: 10,
      maxNotificationsPerUser: 5,
      maxBroadcasts: 5,
    });
    const draft = { id: 'new', room: 'r', text: 'hi', user: { id: 'u' }, createdAt: 1 };
    const { message } = await small.appendMessage(draft, { dedupeKey: 'k' });
    expect(message.seq).toBe(count + 1);
    expect(await client.zcard(`${prefix}chat:{r}:idx`)).toBe(10);
    expect(await client.hlen(`${prefix}chat:{r}:msg`)).toBe(10);
    // The dedupe key was written: a resend is not stored twice.
    expect(
      (await small.appendMessage({ ...draft, id: 'again' }, { dedupeKey: 'k' })).duplicate,
    ).toBe(true);

    const note = { id: 'fresh', title: 't', createdAt: 1, read: false };
    expect(await small.addNotification('u', note)).toBe(5);
    expect(await client.hlen(`${prefix}ntf:{u}:data`)).toBe(5);
  });

  it('expires idle rooms and feeds with roomTtlMs / feedTtlMs, and keeps them without', async () => {
    const prefix = `ttl${++db}:`;
    const store = new RedisStore({ client, prefix, roomTtlMs: 60_000, feedTtlMs: 120_000 });
    const draft = { id: 'a', room: 'r', text: 'hi', user: { id: 'u' }, createdAt: 1 };
    await store.appendMessage(draft, { dedupeKey: 'k', dedupeTtlMs: 1_000 });
    await store.updateMessage('r', 'a', { text: 'edited', editedAt: 2 });
    await store.addNotification('u', { id: 'n1', title: 't', createdAt: 1, read: false });
    await store.addBroadcast({ id: 'b1', title: 'all', createdAt: Date.now(), read: false });
    await store.deliverBroadcasts('u', { since: 0 });
    const ttls = async (pattern: string) => {
      const keys = (await client.keys(`${prefix}${pattern}`)).sort();
      return Object.fromEntries(
        await Promise.all(keys.map(async (k) => [k.slice(prefix.length), await client.pttl(k)])),
      ) as Record<string, number>;
    };
    const room = await ttls('chat:{r}:*');
    expect(Object.keys(room)).toEqual([
      'chat:{r}:chg',
      'chat:{r}:dd:k',
      'chat:{r}:idx',
      'chat:{r}:msg',
      'chat:{r}:rev',
      'chat:{r}:seq',
    ]);
    for (const [key, ttl] of Object.entries(room)) {
      // The dedupe key keeps its own, shorter TTL.
      const max = key.endsWith(':dd:k') ? 1_000 : 60_000;
      expect(ttl, key).toBeGreaterThan(max - 5_000);
      expect(ttl, key).toBeLessThanOrEqual(max);
    }
    const feed = await ttls('ntf:{u}:*');
    expect(Object.keys(feed)).toHaveLength(5); // seq, idx, data, unread, bmark
    for (const [key, ttl] of Object.entries(feed)) {
      expect(ttl, key).toBeGreaterThan(115_000);
      expect(ttl, key).toBeLessThanOrEqual(120_000);
    }

    // A room that really goes idle is gone, and starts over.
    const quick = new RedisStore({ client, prefix: `ttl${++db}:`, roomTtlMs: 30 });
    await quick.appendMessage({ ...draft, room: 'q' });
    await vi.waitFor(async () =>
      expect((await quick.history('q', { limit: 10 })).messages).toEqual([]),
    );
    expect((await quick.appendMessage({ ...draft, id: 'b', room: 'q' })).message.seq).toBe(1);

    // Without the options nothing expires.
    const keep = new RedisStore({ client, prefix: `ttl${++db}:` });
    await keep.appendMessage(draft);
    await keep.addNotification('u', { id: 'n1', title: 't', createdAt: 1, read: false });
    const kept = await client.keys(`ttl${db}:*`);
    expect(kept.length).toBeGreaterThan(0);
    for (const key of kept) expect(await client.pttl(key), key).toBe(-1);
  });

  it("gives every user's keys one non-empty hash tag, also for ids starting with } or ~", async () => {
    const prefix = `tag${++db}:`;
    const store = new RedisStore({ client, prefix });
    const ids = ['}x', '~}x', '~y', 'plain', 'a}b'];
    for (const id of ids) {
      await store.addNotification(id, { id: `n-${id}`, title: id, createdAt: 1, read: false });
    }
    // Redis Cluster hashes the text between the first { and the next }: it must not be empty,
    // and it must be the same for all of one user's keys (one slot for the scripts).
    const tag = (key: string) => {
      const open = key.indexOf('{');
      const close = key.indexOf('}', open + 1);
      return key.slice(open + 1, close);
    };
    const keys = await client.keys(`${prefix}ntf:*`);
    expect(keys.every((key) => tag(key) !== '')).toBe(true);
    for (const id of ids) {
      const page = await store.listNotifications(id, { limit: 10 });
      expect(page.items.map((n) => n.title)).toEqual([id]); // nobody else's
    }
    expect(new Set(keys.map(tag)).size).toBe(ids.length);
    // Ids without a leading } or ~ keep the keys they always had.
    expect(keys).toContain(`${prefix}ntf:{plain}:data`);
  });

  it('rounds fractional limits instead of failing after storing', async () => {
    const store = new RedisStore({
      client,
      prefix: `frac${++db}:`,
      maxHistoryPerRoom: 2.5,
      maxNotificationsPerUser: 1.5,
    });
    const draft = { room: 'r', text: 'hi', user: { id: 'u' }, createdAt: 1 };
    for (const id of ['a', 'b', 'c']) await store.appendMessage({ ...draft, id });
    expect((await store.history('r', { limit: 10 })).messages.map((m) => m.id)).toEqual(['b', 'c']);
    await store.addNotification('u', { id: 'n1', title: 't', createdAt: 1, read: false });
    expect(
      await store.addNotification('u', { id: 'n2', title: 't', createdAt: 2, read: false }),
    ).toBe(1);
  });

  it('does not close the client it was given', async () => {
    const store = new RedisStore({ client, prefix: `close${++db}:` });
    await store.close();
    expect(await client.ping()).toBe('PONG');
  });

  it('takes an ioredis Cluster client too (the README promises Redis Cluster)', async () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    const store = new RedisStore({ client: cluster, prefix: `cluster${++db}:` });
    expect(store.kind).toBe('redis');
    cluster.disconnect();
  });
});
