import { createAdapter } from '@socket.io/redis-adapter';
import type {
  ChatJoinResult,
  ChatMessage,
  ChatPresenceEvent,
  ChatSendResult,
  NotifyListResult,
  NotifyNewEvent,
} from '@wirekit/core/protocol';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import {
  USERS,
  next,
  ok,
  record,
  request,
  startServer,
  type TestServer,
} from '../test-utils/harness.js';
import { RedisStore } from './store.js';

const clients: Redis[] = [];
let run = 0;

function redis(): Redis {
  const client = new Redis(inject('redisUrl'));
  clients.push(client);
  return client;
}

/** One "process": its own Socket.IO server, Redis adapter and Redis store. */
async function node(prefix: string): Promise<TestServer> {
  const pub = redis();
  const sub = pub.duplicate();
  clients.push(sub);
  const authenticate = (token: string) => {
    const id = token.startsWith('token-') ? token.slice(6) : '';
    return id ? (USERS[id] ?? { id }) : null;
  };
  const store = new RedisStore({ client: redis(), prefix });
  return startServer({ store, authenticate }, {}, (io) => {
    io.adapter(createAdapter(pub, sub, { key: `${prefix}io` }));
  });
}

let one: TestServer | undefined;
let two: TestServer | undefined;

afterEach(async () => {
  await Promise.all([one?.close(), two?.close()]);
  one = two = undefined;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

async function pair(): Promise<[TestServer, TestServer]> {
  const prefix = `scale${++run}:`;
  one = await node(prefix);
  two = await node(prefix);
  return [one, two];
}

describe('two servers with the Redis adapter and store', () => {
  it('deliver chat messages and presence across servers', async () => {
    const [a, b] = await pair();
    const alice = await a.connect('alice');
    const bob = await b.connect('bob');
    ok(await request(alice, 'chat:join', { room: 'lobby' }));
    const presence = record<ChatPresenceEvent>(alice, 'chat:presence');
    const joined = ok(await request<ChatJoinResult>(bob, 'chat:join', { room: 'lobby' }));
    expect(joined.members.map((m) => m.id).sort()).toEqual(['alice', 'bob']);
    // Updates are snapshots: alice's own window may go out before bob's join, so wait for the last.
    await expect
      .poll(() => presence.at(-1))
      .toEqual({
        room: 'lobby',
        count: 2,
        members: expect.arrayContaining([
          { id: 'alice', name: 'Alice' },
          { id: 'bob', name: 'Bob' },
        ]) as unknown,
      });
    // A leave on one server reaches the other.
    bob.disconnect();
    await expect
      .poll(() => presence.at(-1))
      .toEqual({
        room: 'lobby',
        count: 1,
        members: [{ id: 'alice', name: 'Alice' }],
      });
    const bobAgain = await b.connect('bob');
    ok(await request(bobAgain, 'chat:join', { room: 'lobby' }));

    const atBob = next<ChatMessage>(bobAgain, 'chat:message');
    const sent = ok(
      await request<ChatSendResult>(
        alice,
        'chat:send',
        { room: 'lobby', text: 'across' },
        { cid: 'x1' },
      ),
    );
    expect(await atBob).toEqual(sent.message);

    const atAlice = next<ChatMessage>(alice, 'chat:message');
    const back = ok(
      await request<ChatSendResult>(bobAgain, 'chat:send', { room: 'lobby', text: 'and back' }),
    );
    expect(await atAlice).toEqual(back.message);
    expect(back.message.seq).toBe(2);

    // Dedupe and history are shared through the store.
    const resent = ok(
      await request<ChatSendResult>(
        alice,
        'chat:send',
        { room: 'lobby', text: 'across' },
        { cid: 'x1' },
      ),
    );
    expect(resent.duplicate).toBe(true);
    const history = ok(await request<ChatJoinResult>(bobAgain, 'chat:history', { room: 'lobby' }));
    expect(history.messages.map((m) => m.text)).toEqual(['across', 'and back']);
  });

  it('coalesce a join storm split across servers and agree on the room', async () => {
    const [a, b] = await pair();
    const n = 60;
    const sockets = await Promise.all(
      Array.from({ length: n }, (_, i) => (i % 2 ? b : a).connect(`u${i}`)),
    );
    const seen = sockets.map((socket) => record<ChatPresenceEvent>(socket, 'chat:presence'));
    const acks = (
      await Promise.all(
        sockets.map((socket) => request<ChatJoinResult>(socket, 'chat:join', { room: 'storm' })),
      )
    ).map(ok);
    expect(acks.every((ack) => (ack.memberCount ?? 0) > 0)).toBe(true);
    // Each server lists the whole room through the adapter: everyone ends with all n users.
    await expect
      .poll(() =>
        seen.map((events) => {
          const last = events.at(-1);
          return last && 'count' in last ? `${last.count}:${last.members?.length}` : '';
        }),
      )
      .toEqual(Array.from({ length: n }, () => `${n}:${n}`));
    const perClient = Math.max(...seen.map((events) => events.length));
    expect(perClient).toBeLessThan(n / 4);
    const broadcasts =
      a.wirekit.health().counters.presenceBroadcasts +
      b.wirekit.health().counters.presenceBroadcasts;
    expect(broadcasts).toBeLessThan(n / 4);
  });

  it('deliver notifications to a user on another server, and to all', async () => {
    const [a, b] = await pair();
    const alice = await a.connect('alice');
    const bob = await b.connect('bob');
    const atBob = next<NotifyNewEvent>(bob, 'notify:new');
    const sent = await a.wirekit.notify('bob', { title: 'from server one' });
    expect(await atBob).toEqual({ notification: sent, unread: 1 });
    const listed = ok(await request<NotifyListResult>(bob, 'notify:list'));
    expect(listed.items.map((n) => n.id)).toEqual([sent.id]);

    const all = [
      next<NotifyNewEvent>(alice, 'notify:new'),
      next<NotifyNewEvent>(bob, 'notify:new'),
    ];
    const broadcast = await b.wirekit.notify('all', { title: 'everyone' });
    const [toAlice, toBob] = await Promise.all(all);
    expect(toAlice).toEqual({ notification: broadcast, unread: 1 });
    expect(toBob).toEqual({ notification: broadcast, unread: 2 });

    // Carol was offline: she gets it from the shared store on either server, once.
    const carol = await a.connect('carol');
    const onA = ok(await request<NotifyListResult>(carol, 'notify:list'));
    expect(onA).toMatchObject({ items: [broadcast], unread: 1 });
    const carolOnB = await b.connect('carol');
    expect(ok(await request<NotifyListResult>(carolOnB, 'notify:list'))).toMatchObject({
      items: [broadcast],
      unread: 1,
    });
  });
});
