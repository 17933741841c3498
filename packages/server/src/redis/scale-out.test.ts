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
import { next, ok, request, startServer, type TestServer } from '../test-utils/harness.js';
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
  return startServer({ store: new RedisStore({ client: redis(), prefix }) }, {}, (io) => {
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
    const presence = next<ChatPresenceEvent>(alice, 'chat:presence');
    const joined = ok(await request<ChatJoinResult>(bob, 'chat:join', { room: 'lobby' }));
    expect(joined.members.map((m) => m.id).sort()).toEqual(['alice', 'bob']);
    expect(await presence).toMatchObject({ user: { id: 'bob' }, action: 'join' });

    const atBob = next<ChatMessage>(bob, 'chat:message');
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
      await request<ChatSendResult>(bob, 'chat:send', { room: 'lobby', text: 'and back' }),
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
    const history = ok(await request<ChatJoinResult>(bob, 'chat:history', { room: 'lobby' }));
    expect(history.messages.map((m) => m.text)).toEqual(['across', 'and back']);
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
  });
});
