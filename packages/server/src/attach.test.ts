import {
  DEFAULT_LIMITS,
  PROTOCOL_VERSION,
  type ChatHistoryResult,
  type ChatJoinResult,
  type ChatMessage,
  type ChatPresenceEvent,
  type ChatSendResult,
  type ChatTypingEvent,
  type NotifyListResult,
  type NotifyNewEvent,
  type NotifyUnreadEvent,
  type UnreadResult,
} from '@wirekit/core/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  flush,
  next,
  ok,
  record,
  request,
  startServer,
  type TestServer,
} from './test-utils/harness.js';

let server: TestServer;

beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

/** `count:ids` of a presence update, ids sorted (`count` alone without a list). */
function view(event: ChatPresenceEvent): string {
  if ('action' in event) return `${event.user.id}:${event.action}`;
  const ids = event.members?.map((m) => m.id).sort();
  return ids ? `${event.count}:${ids.join(',')}` : String(event.count);
}

/** `view` of the last update recorded, if any. */
const lastView = (seen: ChatPresenceEvent[]) => {
  const last = seen.at(-1);
  return last && view(last);
};

/** Waits until the server has no presence window open, then for what it sent to `socket`. */
async function settled(socket: Parameters<typeof flush>[0]): Promise<void> {
  await expect.poll(() => server.wirekit.chat.presence.pending).toBe(0);
  await flush(socket);
}

async function joined(user: string, room = 'lobby') {
  const socket = await server.connect(user);
  const ack = ok(await request<ChatJoinResult>(socket, 'chat:join', { room }));
  return { socket, ack };
}

describe('handshake', () => {
  it('greets with the protocol version, the user and the limits', async () => {
    const socket = await server.connect('alice');
    expect(server.hello(socket)).toEqual({
      protocol: PROTOCOL_VERSION,
      user: { id: 'alice', name: 'Alice' },
      limits: DEFAULT_LIMITS,
    });
  });

  it('answers the heartbeat at once', async () => {
    const socket = await server.connect('alice');
    const ack = ok(await request<{ t: number }>(socket, 'wk:ping'));
    expect(typeof ack.t).toBe('number');
  });
});

describe('chat', () => {
  it('lets two users chat with server-assigned ids and timestamps', async () => {
    const alice = await joined('alice');
    const bob = await joined('bob');
    expect(bob.ack.members.map((m) => m.id).sort()).toEqual(['alice', 'bob']);

    const atBob = next<ChatMessage>(bob.socket, 'chat:message');
    const sent = ok(
      await request<ChatSendResult>(
        alice.socket,
        'chat:send',
        { room: 'lobby', text: 'hi bob' },
        { cid: 'c1' },
      ),
    );
    expect(sent.duplicate).toBe(false);
    expect(sent.message).toMatchObject({
      room: 'lobby',
      text: 'hi bob',
      user: { id: 'alice', name: 'Alice' },
      clientId: 'c1',
      seq: 1,
    });
    expect(sent.message.id).toMatch(/^[A-Za-z0-9_.:-]+$/);
    expect(typeof sent.message.createdAt).toBe('number');
    expect(await atBob).toEqual(sent.message);

    const atAlice = next<ChatMessage>(alice.socket, 'chat:message');
    const reply = ok(
      await request<ChatSendResult>(bob.socket, 'chat:send', { room: 'lobby', text: 'hey' }),
    );
    expect(await atAlice).toEqual(reply.message);
    expect(reply.message.seq).toBe(2);
  });

  it('stores a resend with the same client id once', async () => {
    const alice = await joined('alice');
    const bob = await joined('bob');
    const seen = record<ChatMessage>(bob.socket, 'chat:message');
    const first = ok(
      await request<ChatSendResult>(
        alice.socket,
        'chat:send',
        { room: 'lobby', text: 'once' },
        { cid: 'same' },
      ),
    );
    const again = ok(
      await request<ChatSendResult>(
        alice.socket,
        'chat:send',
        { room: 'lobby', text: 'once' },
        { cid: 'same' },
      ),
    );
    // clientId in the payload is the same dedupe key for plain clients.
    const plain = ok(
      await request<ChatSendResult>(alice.socket, 'chat:send', {
        room: 'lobby',
        text: 'once',
        clientId: 'same',
      }),
    );
    expect(again.duplicate).toBe(true);
    expect(plain.duplicate).toBe(true);
    expect(again.message).toEqual(first.message);
    const history = ok(
      await request<ChatHistoryResult>(alice.socket, 'chat:history', { room: 'lobby' }),
    );
    expect(history.messages).toHaveLength(1);
    await flush(bob.socket);
    expect(seen).toHaveLength(1);
    // Another user may use the same client id.
    const bobs = ok(
      await request<ChatSendResult>(
        bob.socket,
        'chat:send',
        { room: 'lobby', text: 'mine' },
        { cid: 'same' },
      ),
    );
    expect(bobs.duplicate).toBe(false);
  });

  it('pages history with a cursor', async () => {
    const alice = await joined('alice');
    for (let i = 1; i <= 25; i++) {
      ok(
        await request(
          alice.socket,
          'chat:send',
          { room: 'lobby', text: `m${i}` },
          { cid: `c${i}` },
        ),
      );
    }
    const first = ok(
      await request<ChatHistoryResult>(alice.socket, 'chat:history', { room: 'lobby', limit: 10 }),
    );
    expect(first.messages.map((m) => m.text)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${i + 16}`),
    );
    expect(first.nextCursor).not.toBeNull();
    const second = ok(
      await request<ChatHistoryResult>(alice.socket, 'chat:history', {
        room: 'lobby',
        limit: 10,
        before: first.nextCursor,
      }),
    );
    expect(second.messages.map((m) => m.text)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${i + 6}`),
    );
    const third = ok(
      await request<ChatHistoryResult>(alice.socket, 'chat:history', {
        room: 'lobby',
        limit: 10,
        before: second.nextCursor,
      }),
    );
    expect(third.messages.map((m) => m.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(third.nextCursor).toBeNull();

    const rejoin = await server.connect('bob');
    const join = ok(
      await request<ChatJoinResult>(rejoin, 'chat:join', { room: 'lobby', limit: 3 }),
    );
    expect(join.messages.map((m) => m.text)).toEqual(['m23', 'm24', 'm25']);

    const bad = await request(alice.socket, 'chat:history', { room: 'lobby', before: 'nope' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('sends typing to others but not the sender, presence as room updates', async () => {
    const alice = await joined('alice');
    await settled(alice.socket);
    const bob = await server.connect('bob');
    const aliceTyping = record<ChatTypingEvent>(alice.socket, 'chat:typing');
    const alicePresence = record<ChatPresenceEvent>(alice.socket, 'chat:presence');
    const bobPresence = record<ChatPresenceEvent>(bob, 'chat:presence');

    const bobJoin = ok(await request<ChatJoinResult>(bob, 'chat:join', { room: 'lobby' }));
    expect(bobJoin.memberCount).toBe(2);
    await settled(alice.socket);
    expect(alicePresence).toEqual([
      {
        room: 'lobby',
        count: 2,
        members: [
          { id: 'alice', name: 'Alice' },
          { id: 'bob', name: 'Bob' },
        ],
      },
    ]);

    const typingSeen = next<ChatTypingEvent>(bob, 'chat:typing');
    ok(await request(alice.socket, 'chat:typing', { room: 'lobby', typing: true }));
    expect(await typingSeen).toEqual({
      room: 'lobby',
      user: { id: 'alice', name: 'Alice' },
      typing: true,
    });

    ok(await request(bob, 'chat:leave', { room: 'lobby' }));
    await settled(alice.socket);
    expect(alicePresence.map(view)).toEqual(['2:alice,bob', '1:alice']);

    const rejoin = ok(await request<ChatJoinResult>(bob, 'chat:join', { room: 'lobby' }));
    expect(rejoin.members.map((m) => m.id).sort()).toEqual(['alice', 'bob']);
    await settled(bob);
    alice.socket.disconnect();
    await expect
      .poll(() => bobPresence.at(-1))
      .toEqual({ room: 'lobby', count: 1, members: [{ id: 'bob', name: 'Bob' }] });

    await flush(bob);
    expect(aliceTyping).toEqual([]);
    expect(alicePresence.map(view)).toEqual(['2:alice,bob', '1:alice', '2:alice,bob']);
    // Bob is in the room when his own join's update goes out (after his ack): he gets it too.
    expect(bobPresence.map(view)).toEqual(['2:alice,bob', '2:alice,bob', '1:bob']);
  });

  it('keeps presence per user across several tabs', async () => {
    const alice = await joined('alice');
    const bobTab1 = await joined('bob');
    await settled(alice.socket);
    const presence = record<ChatPresenceEvent>(alice.socket, 'chat:presence');
    const bobTab2 = await joined('bob');
    expect(bobTab2.ack.members.map((m) => m.id).sort()).toEqual(['alice', 'bob']);
    await settled(alice.socket);
    expect(presence).toEqual([]); // a second tab joining announces nothing
    bobTab2.socket.disconnect();
    bobTab1.socket.disconnect();
    await expect.poll(() => lastView(presence)).toBe('1:alice');
    await settled(alice.socket);
    // Whether the two tabs left in one window or two, only the last one was announced.
    expect(presence.map(view)).toEqual(['1:alice']);
  });

  it('answers joins with counts only in a room over presenceListLimit', async () => {
    await server.close();
    server = await startServer({ presenceListLimit: 2 });
    const alice = await joined('alice');
    const bob = await joined('bob');
    expect(bob.ack.members.map((m) => m.id).sort()).toEqual(['alice', 'bob']);
    await settled(alice.socket);
    const presence = record<ChatPresenceEvent>(alice.socket, 'chat:presence');
    const carol = await joined('carol');
    expect(carol.ack.members).toEqual([]);
    expect(carol.ack.memberCount).toBe(3);
    await expect.poll(() => presence.at(-1)).toEqual({ room: 'lobby', count: 3 });
    carol.socket.disconnect();
    await expect.poll(() => lastView(presence)).toBe('2:alice,bob');
  });

  it('clears pending presence windows on close', async () => {
    await server.close();
    server = await startServer({ presenceBatchMs: 60_000 });
    const alice = await server.connect('alice');
    // The ack does not wait for the 60 s window; the window stays pending.
    ok(await request(alice, 'chat:join', { room: 'lobby' }));
    expect(server.wirekit.chat.presence.pending).toBe(1);
    const closing = server.wirekit.close();
    expect(server.wirekit.chat.presence.pending).toBe(0);
    await closing;
    expect(server.wirekit.chat.presence).toMatchObject({ broadcasts: 0, flushes: 1 });
  });

  it('edits and deletes own messages only', async () => {
    const alice = await joined('alice');
    const bob = await joined('bob');
    const { message } = ok(
      await request<ChatSendResult>(alice.socket, 'chat:send', { room: 'lobby', text: 'typo' }),
    );

    const edited = next<ChatMessage>(bob.socket, 'chat:edited');
    const edit = ok(
      await request<{ message: ChatMessage }>(alice.socket, 'chat:edit', {
        room: 'lobby',
        id: message.id,
        text: 'fixed',
      }),
    );
    expect(edit.message).toMatchObject({ id: message.id, text: 'fixed', seq: message.seq });
    expect(typeof edit.message.editedAt).toBe('number');
    expect(await edited).toEqual(edit.message);

    expect(
      await request(bob.socket, 'chat:edit', { room: 'lobby', id: message.id, text: 'mine now' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(
      await request(bob.socket, 'chat:delete', { room: 'lobby', id: message.id }),
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    const deleted = next<{ id: string }>(bob.socket, 'chat:deleted');
    ok(await request(alice.socket, 'chat:delete', { room: 'lobby', id: message.id }));
    expect((await deleted).id).toBe(message.id);
    const history = ok(
      await request<ChatHistoryResult>(alice.socket, 'chat:history', { room: 'lobby' }),
    );
    expect(history.messages[0]).toMatchObject({ id: message.id, text: '' });
    expect(
      await request(alice.socket, 'chat:edit', { room: 'lobby', id: message.id, text: 'back' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(
      await request(alice.socket, 'chat:delete', { room: 'lobby', id: 'missing' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('requires joining before sending', async () => {
    const alice = await server.connect('alice');
    expect(await request(alice, 'chat:send', { room: 'lobby', text: 'hi' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('processes events of one socket in order (send right after join)', async () => {
    const alice = await server.connect('alice');
    const join = request(alice, 'chat:join', { room: 'fast' });
    const send = request<ChatSendResult>(alice, 'chat:send', { room: 'fast', text: 'no wait' });
    ok(await join);
    expect(ok(await send).message.text).toBe('no wait');
  });

  it('accepts data-only and ack-less packets', async () => {
    const alice = await joined('alice');
    const bob = await joined('bob');
    const atBob = next<ChatMessage>(bob.socket, 'chat:message');
    alice.socket.emit('chat:send', { room: 'lobby', text: 'fire and forget' });
    alice.socket.emit('chat:send', null);
    alice.socket.emit('chat:typing');
    expect((await atBob).text).toBe('fire and forget');
    expect(ok(await request(alice.socket, 'wk:ping'))).toBeTruthy();
  });
});

describe('notifications', () => {
  it('reach only their user, on every tab', async () => {
    const alice1 = await server.connect('alice');
    const alice2 = await server.connect('alice');
    const bob = await server.connect('bob');
    const bobSeen = record(bob, 'notify:new');
    const got1 = next<NotifyNewEvent>(alice1, 'notify:new');
    const got2 = next<NotifyNewEvent>(alice2, 'notify:new');
    const sent = await server.wirekit.notify('alice', { title: 'Build passed', kind: 'success' });
    expect(sent).toMatchObject({ title: 'Build passed', kind: 'success', read: false });
    expect(await got1).toEqual({ notification: sent, unread: 1 });
    expect(await got2).toEqual({ notification: sent, unread: 1 });
    await flush(bob);
    expect(bobSeen).toEqual([]);
    const list = ok(await request<NotifyListResult>(bob, 'notify:list', {}));
    expect(list).toMatchObject({ items: [], unread: 0 });
  });

  it("notify('all') reaches every connected user", async () => {
    const sockets = await Promise.all(['alice', 'bob', 'carol'].map((u) => server.connect(u)));
    const got = sockets.map((s) => next<NotifyNewEvent>(s, 'notify:new'));
    const sent = await server.wirekit.notify('all', { title: 'Maintenance at 22:00' });
    for (const event of await Promise.all(got)) {
      expect(event).toEqual({ notification: sent, unread: 1 });
    }
  });

  it("notify('all') reaches users who connect later, once, on every tab", async () => {
    const alice = await server.connect('alice');
    const atAlice = record<NotifyNewEvent>(alice, 'notify:new');
    const sent = await server.wirekit.notify('all', { title: 'Maintenance at 22:00' });
    await flush(alice);
    expect(atAlice).toEqual([{ notification: sent, unread: 1 }]);
    // Alice's list has it once: the push went through her mark.
    const listed = ok(await request<NotifyListResult>(alice, 'notify:list', {}));
    expect(listed).toMatchObject({ items: [sent], unread: 1 });

    // Bob was away. His first list has it; his other tab is told by a push, this one is not.
    const bob1 = await server.connect('bob');
    const bob2 = await server.connect('bob');
    const pushed1 = record<NotifyNewEvent>(bob1, 'notify:new');
    const pushed2 = next<NotifyNewEvent>(bob2, 'notify:new');
    const page = ok(await request<NotifyListResult>(bob1, 'notify:list', {}));
    expect(page).toMatchObject({ items: [sent], unread: 1 });
    expect(await pushed2).toEqual({ notification: sent, unread: 1 });
    await flush(bob1);
    expect(pushed1).toEqual([]);

    // Dismissed, it stays dismissed; an older page does not deliver again.
    ok(await request(bob1, 'notify:dismiss', { ids: [sent.id] }));
    expect(ok(await request<NotifyListResult>(bob2, 'notify:list', {}))).toMatchObject({
      items: [],
      unread: 0,
    });
    expect(server.wirekit.health().counters.notifications).toBe(2);
  });

  it("notify('all') stops reaching newcomers after broadcastTtlMs", async () => {
    await server.close();
    let now = 1_700_000_000_000;
    server = await startServer({ now: () => now, broadcastTtlMs: 60_000 });
    const sent = await server.wirekit.notify('all', { title: 'Deploy done' });
    now += 60_000;
    const alice = await server.connect('alice');
    expect(ok(await request<NotifyListResult>(alice, 'notify:list', {})).items).toEqual([sent]);
    now += 1;
    const bob = await server.connect('bob');
    expect(ok(await request<NotifyListResult>(bob, 'notify:list', {}))).toMatchObject({
      items: [],
      unread: 0,
    });
  });

  it('lists, marks read, marks all read and dismisses, syncing other tabs', async () => {
    const tab1 = await server.connect('alice');
    const tab2 = await server.connect('alice');
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++)
      ids.push((await server.wirekit.notify('alice', { title: `n${i}` })).id);

    const page1 = ok(await request<NotifyListResult>(tab1, 'notify:list', { limit: 3 }));
    expect(page1.items.map((n) => n.title)).toEqual(['n5', 'n4', 'n3']);
    expect(page1.unread).toBe(5);
    const page2 = ok(
      await request<NotifyListResult>(tab1, 'notify:list', { limit: 3, before: page1.nextCursor }),
    );
    expect(page2.items.map((n) => n.title)).toEqual(['n2', 'n1']);
    expect(page2.nextCursor).toBeNull();

    const synced = next<NotifyUnreadEvent>(tab2, 'notify:unread');
    expect(
      ok(await request<UnreadResult>(tab1, 'notify:read', { ids: [ids[0], ids[1]] })).unread,
    ).toBe(3);
    expect(await synced).toEqual({ unread: 3, read: [ids[0], ids[1]] });
    const listed = ok(await request<NotifyListResult>(tab2, 'notify:list'));
    expect(listed.items.filter((n) => n.read).map((n) => n.title)).toEqual(['n2', 'n1']);

    expect(ok(await request<UnreadResult>(tab1, 'notify:dismiss', { ids: [ids[4]] })).unread).toBe(
      2,
    );
    expect(ok(await request<NotifyListResult>(tab1, 'notify:list')).items).toHaveLength(4);
    expect(ok(await request<UnreadResult>(tab1, 'notify:read-all')).unread).toBe(0);
    expect(
      ok(await request<NotifyListResult>(tab2, 'notify:list')).items.every((n) => n.read),
    ).toBe(true);
  });

  it('rejects an invalid notification from the server API', async () => {
    await expect(server.wirekit.notify('alice', { title: '' })).rejects.toThrow(TypeError);
  });
});

describe('health', () => {
  it('reports connections, users, rooms and namespaces', async () => {
    await joined('alice');
    await joined('alice', 'dev');
    await joined('bob');
    const health = server.wirekit.health();
    expect(health).toMatchObject({
      status: 'ok',
      protocol: 1,
      connections: 3,
      users: 2,
      rooms: 2,
      namespaces: { '/': 3 },
      store: 'memory',
    });
    expect(health.memory?.rss).toBeGreaterThan(0);
  });
});
