import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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

  it('does not close the client it was given', async () => {
    const store = new RedisStore({ client, prefix: `close${++db}:` });
    await store.close();
    expect(await client.ping()).toBe('PONG');
  });
});
