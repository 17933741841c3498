/**
 * The @wirekit/core models (ChatRoom, NotificationFeed) against the real server: Socket.IO +
 * attachWirekit on loopback, clients through core's pool and socket.io transport. They live
 * here because core cannot depend on this package (build cycle).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ChatRoom,
  createChatRoom,
  createNotificationFeed,
  createPool,
  microtaskScheduler,
  socketio,
  type ChatRoomOptions,
  type ConnectionPool,
  type NotificationFeed,
  type Connection,
} from '@wirekit/core';
import { attachWirekit, type WirekitOptions } from './attach.js';
import { roomChannel } from './services/hub.js';
import { MemoryStore } from './store/memory.js';
import { authenticate, tokenOf } from './test-utils/harness.js';

interface RealServer {
  url: string;
  port: number;
  io: Server;
  wirekit: ReturnType<typeof attachWirekit>;
  stop(): Promise<void>;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Socket.IO + wirekit on 127.0.0.1; `port` reuses a port (restart), `store` outlives it. */
async function startReal(
  store: MemoryStore,
  port = 0,
  options: Partial<WirekitOptions> = {},
): Promise<RealServer> {
  const http = createServer();
  const io = new Server(http);
  const wirekit = attachWirekit(io, {
    authenticate,
    store,
    rateLimit: false,
    onError: () => {},
    ...options,
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const actual = (http.address() as AddressInfo).port;
  let stopped = false;
  const server: RealServer = {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    io,
    wirekit,
    async stop() {
      if (stopped) return;
      stopped = true;
      await wirekit.close();
      await io.close();
    },
  };
  cleanups.push(() => server.stop());
  return server;
}

/** One browser tab: its own pool (own socket) signed in as `user`. */
function tab(url: string, user: string, gate?: { online: boolean }) {
  const pool: ConnectionPool = createPool({
    url,
    transport: socketio(),
    connectOnServer: true,
    idleTimeout: 0,
    heartbeat: false,
    backoff: { initialDelay: 30, maxDelay: 150, jitter: 0 },
    auth: () => {
      // A closed gate keeps this tab offline: the attempt fails and is retried.
      if (gate && !gate.online) throw new Error('offline');
      return { token: tokenOf(user) };
    },
  });
  const lease = pool.acquire('/');
  cleanups.push(() => pool.destroy());
  return { pool, connection: lease.connection as Connection };
}

function room(connection: Connection, options: Partial<ChatRoomOptions> = {}): ChatRoom {
  const r = createChatRoom(connection, {
    room: 'lobby',
    scheduler: microtaskScheduler,
    ...options,
  });
  cleanups.push(() => r.dispose());
  r.start();
  return r;
}

function feed(connection: Connection, options = {}): NotificationFeed {
  const f = createNotificationFeed(connection, { scheduler: microtaskScheduler, ...options });
  cleanups.push(() => f.dispose());
  f.start();
  return f;
}

const texts = (r: ChatRoom) => [...r.getSnapshot().messages].map((m) => m.text);
const seqs = (r: ChatRoom) => [...r.getSnapshot().messages].map((m) => m.seq);
const joined = (r: ChatRoom) =>
  vi.waitFor(() => expect(r.getSnapshot().status).toBe('joined'), { timeout: 5000 });
const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 5000, interval: 10 });

async function seed(store: MemoryStore, count: number, room = 'lobby') {
  for (let i = 1; i <= count; i++) {
    await store.appendMessage({
      id: `seed-${i}`,
      room,
      text: `m${i}`,
      user: { id: 'carol', name: 'Carol' },
      createdAt: 1_700_000_000_000 + i,
    });
  }
}

describe('ChatRoom against the real server', () => {
  it('two clients chat: pending at once, then sent with the server id, seen by the other', async () => {
    const server = await startReal(new MemoryStore());
    const bob = room(tab(server.url, 'bob').connection);
    await joined(bob);
    const alice = room(tab(server.url, 'alice').connection);
    await joined(alice);
    // Presence: bob saw alice arrive; alice got both in the join ack.
    await waitFor(() => expect(bob.getSnapshot().members.map((m) => m.id)).toContain('alice'));
    expect(
      alice
        .getSnapshot()
        .members.map((m) => m.id)
        .sort(),
    ).toEqual(['alice', 'bob']);
    expect(alice.getSnapshot().self).toEqual({ id: 'alice', name: 'Alice' });

    const cid = alice.send('hello bob');
    const pending = alice.getSnapshot().messages.at(-1);
    expect(pending).toMatchObject({ id: cid, status: 'pending', text: 'hello bob', own: true });

    await waitFor(() => expect(alice.getSnapshot().messages.at(-1)?.status).toBe('sent'));
    const sent = alice.getSnapshot().messages.at(-1)!;
    expect(sent.id).not.toBe(cid);
    expect(sent).toMatchObject({ clientId: cid, seq: 1, own: true, user: { id: 'alice' } });
    expect(alice.getSnapshot().messages.length).toBe(1);

    await waitFor(() => expect(texts(bob)).toEqual(['hello bob']));
    expect(bob.getSnapshot().messages.at(0)).toMatchObject({ id: sent.id, own: false });

    bob.send('hi alice');
    await waitFor(() => expect(texts(alice)).toEqual(['hello bob', 'hi alice']));
    expect(seqs(alice)).toEqual([1, 2]);
    expect(Object.isFrozen(alice.getSnapshot())).toBe(true);

    // Leaving is seen as presence.
    bob.dispose();
    await waitFor(() => expect(alice.getSnapshot().members.map((m) => m.id)).toEqual(['alice']));
  });

  it('edit and delete of own messages propagate; others are refused and reverted', async () => {
    const server = await startReal(new MemoryStore());
    const alice = room(tab(server.url, 'alice').connection);
    const bob = room(tab(server.url, 'bob').connection);
    await Promise.all([joined(alice), joined(bob)]);
    alice.send('typo hre');
    await waitFor(() => expect(texts(bob)).toEqual(['typo hre']));
    const id = bob.getSnapshot().messages.at(0)!.id;
    await waitFor(() => expect(alice.getSnapshot().messages.at(0)?.id).toBe(id));

    const editing = alice.edit(id, 'typo here');
    expect(alice.getSnapshot().messages.at(0)?.text).toBe('typo here'); // optimistic
    await editing;
    expect(alice.getSnapshot().messages.at(0)?.editedAt).toBeTypeOf('number');
    await waitFor(() => expect(bob.getSnapshot().messages.at(0)?.text).toBe('typo here'));
    expect(bob.getSnapshot().messages.at(0)?.editedAt).toBeTypeOf('number');

    // Bob may not edit alice's message: the optimistic edit is rolled back.
    await expect(bob.edit(id, 'hijacked')).rejects.toMatchObject({
      name: 'WirekitError',
      data: { code: 'forbidden' },
    });
    expect(bob.getSnapshot().messages.at(0)?.text).toBe('typo here');

    await alice.remove(id);
    expect(alice.getSnapshot().messages.at(0)).toMatchObject({ id, text: '' });
    await waitFor(() =>
      expect(bob.getSnapshot().messages.at(0)).toMatchObject({
        id,
        text: '',
        deletedAt: expect.any(Number),
      }),
    );
  });

  it('orders edits by version when the server clock steps back between them', async () => {
    // A clock corrected backwards, or the next edit handled by a node whose clock is behind.
    let clock = 9_000_000;
    const server = await startReal(new MemoryStore(), 0, { now: () => clock });
    const alice = room(tab(server.url, 'alice').connection);
    const bob = room(tab(server.url, 'bob').connection);
    await Promise.all([joined(alice), joined(bob)]);
    alice.send('draft');
    await waitFor(() => expect(texts(bob)).toEqual(['draft']));
    const id = bob.getSnapshot().messages.at(0)!.id;
    await waitFor(() => expect(alice.getSnapshot().messages.at(0)?.id).toBe(id));

    await alice.edit(id, 'first edit');
    await waitFor(() => expect(texts(bob)).toEqual(['first edit']));
    clock = 1_000_000;
    await alice.edit(id, 'second edit');
    await waitFor(() =>
      expect(bob.getSnapshot().messages.at(0)).toMatchObject({
        text: 'second edit',
        editedAt: 1_000_000,
        version: 2,
      }),
    );
    expect(alice.getSnapshot().messages.at(0)).toMatchObject({ text: 'second edit', version: 2 });
  });

  it('typing reaches the other client and expires', async () => {
    const server = await startReal(new MemoryStore());
    const alice = room(tab(server.url, 'alice').connection);
    const bob = room(tab(server.url, 'bob').connection, { typingTimeout: 300 });
    await Promise.all([joined(alice), joined(bob)]);

    alice.notifyTyping();
    alice.notifyTyping(); // throttled: one signal
    await waitFor(() => expect(bob.getSnapshot().typing.map((u) => u.id)).toEqual(['alice']));
    expect(bob.timers).toBe(1);
    // Nobody says "stopped": the indicator expires on its own.
    await waitFor(() => expect(bob.getSnapshot().typing).toEqual([]));
    expect(bob.timers).toBe(0);
    expect(alice.getSnapshot().typing).toEqual([]); // never your own

    // A message ends the indicator at once (no expiry needed).
    const bob2 = room(tab(server.url, 'bob').connection, { typingTimeout: 60_000 });
    const carol = room(tab(server.url, 'carol').connection);
    await Promise.all([joined(bob2), joined(carol)]);
    carol.notifyTyping();
    await waitFor(() => expect(bob2.getSnapshot().typing.map((u) => u.id)).toEqual(['carol']));
    carol.send('done typing');
    await waitFor(() => expect(texts(bob2)).toContain('done typing'));
    expect(bob2.getSnapshot().typing).toEqual([]);
    expect(bob2.timers).toBe(0);
  });

  it('loadOlder pages through history with the cursor', async () => {
    const store = new MemoryStore();
    await seed(store, 120);
    const server = await startReal(store);
    const bob = room(tab(server.url, 'bob').connection, { pageSize: 50 });
    await joined(bob);
    expect(seqs(bob)).toEqual(range(71, 120));
    expect(bob.getSnapshot().hasOlder).toBe(true);

    const loading = bob.loadOlder();
    expect(bob.getSnapshot().loadingOlder).toBe(true);
    await loading;
    expect(seqs(bob)).toEqual(range(21, 120));
    expect(bob.getSnapshot().hasOlder).toBe(true);
    await bob.loadOlder();
    expect(seqs(bob)).toEqual(range(1, 120));
    expect(bob.getSnapshot()).toMatchObject({ hasOlder: false, loadingOlder: false });
    await bob.loadOlder(); // nothing more: no request, no change
    expect(bob.getSnapshot().messages.length).toBe(120);
  });

  it('catches up after a reconnect: messages sent meanwhile fill the gap, no duplicates', async () => {
    const server = await startReal(new MemoryStore());
    const gate = { online: true };
    const bobTab = tab(server.url, 'bob', gate);
    const bob = room(bobTab.connection, { pageSize: 20 });
    const alice = room(tab(server.url, 'alice').connection);
    await Promise.all([joined(alice), joined(bob)]);
    alice.send('before');
    await waitFor(() => expect(texts(bob)).toEqual(['before']));

    // Bob drops and cannot come back until the gate opens.
    gate.online = false;
    kick(server, 'bob');
    await waitFor(() => expect(bob.getSnapshot().connection).not.toBe('connected'));
    expect(bob.getSnapshot().status).toBe('joining');

    // 65 messages (more than three of bob's pages) while bob is away.
    for (let i = 1; i <= 65; i++) alice.send(`missed ${i}`);
    await waitFor(() =>
      expect(alice.getSnapshot().messages.findIndex((m) => m.status !== 'sent')).toBe(-1),
    );
    expect(texts(bob)).toEqual(['before']);

    gate.online = true;
    await joined(bob);
    await waitFor(() => expect(bob.getSnapshot().messages.length).toBe(66));
    expect(seqs(bob)).toEqual(range(1, 66));
    expect(texts(bob)).toEqual(['before', ...range(1, 65).map((i) => `missed ${i}`)]);
    expect(
      new Set(
        bob
          .getSnapshot()
          .messages.toArray()
          .map((m) => m.id),
      ).size,
    ).toBe(66);
    // And it keeps receiving live.
    alice.send('after');
    await waitFor(() => expect(texts(bob).at(-1)).toBe('after'));
  });

  it('catches up edits and deletions made while away to older messages it holds', async () => {
    const store = new MemoryStore();
    for (let i = 1; i <= 40; i++) {
      await store.appendMessage({
        id: `own-${i}`,
        room: 'lobby',
        text: `m${i}`,
        user: { id: 'alice', name: 'Alice' },
        createdAt: 1_700_000_000_000 + i,
      });
    }
    const server = await startReal(store);
    const gate = { online: true };
    const bob = room(tab(server.url, 'bob', gate).connection, { pageSize: 10 });
    const alice = room(tab(server.url, 'alice').connection);
    await Promise.all([joined(alice), joined(bob)]);
    await bob.loadOlder();
    expect(seqs(bob)).toEqual(range(21, 40));

    gate.online = false;
    kick(server, 'bob');
    await waitFor(() => expect(bob.getSnapshot().connection).not.toBe('connected'));
    // Older than the page bob's rejoin brings back (31..40): only the change sync can tell him.
    await alice.edit('own-22', 'edited while bob was away');
    await alice.remove('own-25');
    await alice.edit('own-3', 'bob never loaded this one');
    expect(bob.getSnapshot().messages.toArray()[1]?.text).toBe('m22');

    gate.online = true;
    await joined(bob);
    await waitFor(() =>
      expect(bob.getSnapshot().messages.toArray()[1]?.text).toBe('edited while bob was away'),
    );
    const held = bob.getSnapshot().messages.toArray();
    expect(held[4]).toMatchObject({ id: 'own-25', text: '' });
    expect(held[4]?.deletedAt).toBeTypeOf('number');
    expect(seqs(bob)).toEqual(range(21, 40));
    // Paging in the rest brings the current version of what was never held.
    while (bob.getSnapshot().hasOlder) await bob.loadOlder();
    expect(bob.getSnapshot().messages.toArray()[2]?.text).toBe('bob never loaded this one');
  });

  it('server down: a message waits as pending, then is sent exactly once after the restart', async () => {
    const store = new MemoryStore();
    let server = await startReal(store);
    const aliceTab = tab(server.url, 'alice');
    const alice = room(aliceTab.connection);
    await joined(alice);
    alice.send('first');
    await waitFor(() => expect(alice.getSnapshot().messages.at(-1)?.status).toBe('sent'));

    await server.stop();
    await waitFor(() => expect(alice.getSnapshot().connection).not.toBe('connected'));
    const cid = alice.send('while down');
    expect(alice.getSnapshot().messages.at(-1)).toMatchObject({ id: cid, status: 'pending' });
    const firstId = alice.getSnapshot().messages.at(0)!.id;
    const editing = alice.edit(firstId, 'first, edited offline');
    expect(alice.getSnapshot().messages.at(0)?.text).toBe('first, edited offline');
    expect(aliceTab.connection.getSnapshot().queued).toBeGreaterThan(0);

    server = await startReal(store, server.port);
    await waitFor(() => expect(alice.getSnapshot().messages.at(-1)?.status).toBe('sent'));
    expect(alice.getSnapshot().status).toBe('joined');
    await editing; // queued, refused before the rejoin, then applied after it
    expect(texts(alice)).toEqual(['first, edited offline', 'while down']);
    expect(alice.getSnapshot().messages.at(-1)).toMatchObject({ clientId: cid, seq: 2 });

    const history = await store.history('lobby', { limit: 100 });
    expect(history.messages.map((m) => m.text)).toEqual(['first, edited offline', 'while down']);
    expect(history.messages[1]?.clientId).toBe(cid);
  });

  it('a send stored but never acked (link lost) is resent under its client id and stored once', async () => {
    const store = new MemoryStore();
    const server = await startReal(store);
    const aliceTab = tab(server.url, 'alice');
    const alice = room(aliceTab.connection);
    const bob = room(tab(server.url, 'bob').connection);
    await Promise.all([joined(alice), joined(bob)]);
    // The store keeps the message, then the link dies before the ack goes out.
    const append = store.appendMessage.bind(store);
    let appends = 0;
    store.appendMessage = async (message, options) => {
      const result = await append(message, options);
      if (message.text === 'ack lost' && ++appends === 1) kick(server, 'alice');
      return result;
    };
    const cid = alice.send('ack lost');
    await waitFor(() => expect(alice.getSnapshot().connection).not.toBe('connected'));
    // The resend reached the server (after the rejoin) and was deduplicated there.
    await waitFor(() => expect(appends).toBe(2));
    await waitFor(() => expect(alice.getSnapshot().messages.at(-1)?.status).toBe('sent'));
    expect(alice.getSnapshot().status).toBe('joined');
    await waitFor(() => expect(aliceTab.connection.getSnapshot().queued).toBe(0));
    expect(texts(alice)).toEqual(['ack lost']);
    expect(alice.getSnapshot().messages.at(0)).toMatchObject({ clientId: cid, own: true });
    const history = await store.history('lobby', { limit: 100 });
    expect(history.messages.map((m) => m.text)).toEqual(['ack lost']);
    await waitFor(() => expect(texts(bob)).toEqual(['ack lost']));
  });

  it('drops and counts invalid inbound payloads', async () => {
    const server = await startReal(new MemoryStore());
    const bobTab = tab(server.url, 'bob');
    const bob = room(bobTab.connection);
    const alice = room(tab(server.url, 'alice').connection);
    await Promise.all([joined(alice), joined(bob)]);
    server.io
      .to(roomChannel('lobby'))
      .emit('chat:message', { room: 'lobby', text: '<img onerror>' });
    alice.send('valid');
    await waitFor(() => expect(texts(bob)).toEqual(['valid']));
    expect(bobTab.connection.getSnapshot().invalid).toBe(1);
  });
});

describe('ChatRoom catch-up and rate limits against the real server', () => {
  it('a long reconnect leaves no hole between the messages held and the newest', async () => {
    const store = new MemoryStore();
    await seed(store, 200);
    const server = await startReal(store);
    const gate = { online: true };
    const bobTab = tab(server.url, 'bob', gate);
    const bob = room(bobTab.connection, { pageSize: 50, maxMessages: 200 });
    await joined(bob);
    for (let page = 1; page <= 3; page++) await bob.loadOlder();
    expect(seqs(bob)).toEqual(range(1, 200));

    gate.online = false;
    kick(server, 'bob');
    await waitFor(() => expect(bob.getSnapshot().connection).not.toBe('connected'));
    for (let i = 201; i <= 1200; i++) {
      await store.appendMessage({
        id: `away-${i}`,
        room: 'lobby',
        text: `m${i}`,
        user: { id: 'carol', name: 'Carol' },
        createdAt: 1_700_000_000_000 + i,
      });
    }
    gate.online = true;
    await joined(bob);
    const held = seqs(bob);
    expect(held.at(-1)).toBe(1200);
    expect(held).toEqual(range(held[0]!, 1200));
  });

  it('rooms rejoining past the rate limit join once it allows, none stuck in error', async () => {
    const server = await startReal(new MemoryStore(), 0, {
      rateLimit: { capacity: 4, refillPerSecond: 20 },
    });
    const { connection } = tab(server.url, 'bob');
    const rooms = Array.from({ length: 10 }, (_, i) => room(connection, { room: `r${i}` }));
    await waitFor(() =>
      expect(rooms.map((r) => r.getSnapshot().status)).toEqual(rooms.map(() => 'joined')),
    );
  });
});

describe('NotificationFeed against the real server', () => {
  it('lists, toasts new items and keeps unread counts in step across two tabs', async () => {
    const store = new MemoryStore();
    const server = await startReal(store);
    await server.wirekit.notify('alice', { title: 'old one' });
    const tab1 = feed(tab(server.url, 'alice').connection);
    const tab2 = feed(tab(server.url, 'alice').connection, { toastDuration: 60_000 });
    await waitFor(() => expect(tab1.getSnapshot().status).toBe('ready'));
    await waitFor(() => expect(tab2.getSnapshot().status).toBe('ready'));
    expect(tab1.getSnapshot()).toMatchObject({ unread: 1, toasts: [], hasMore: false });
    expect(tab1.getSnapshot().items.map((n) => n.title)).toEqual(['old one']);

    const fresh = await server.wirekit.notify('alice', { title: 'Build passed', kind: 'success' });
    await server.wirekit.notify('bob', { title: 'not for alice' });
    for (const f of [tab1, tab2]) {
      await waitFor(() => expect(f.getSnapshot().unread).toBe(2));
      expect(f.getSnapshot().items.map((n) => n.title)).toEqual(['Build passed', 'old one']);
      expect(f.getSnapshot().toasts.map((t) => t.id)).toEqual([fresh.id]);
    }

    // Read in tab 1: at once there, then in tab 2 via the server.
    const reading = tab1.markRead(fresh.id);
    expect(tab1.getSnapshot().unread).toBe(1);
    await reading;
    await waitFor(() => expect(tab2.getSnapshot().unread).toBe(1));
    expect(tab2.getSnapshot().items.find((n) => n.id === fresh.id)?.read).toBe(true);

    // Read all in tab 2.
    await tab2.markAllRead();
    expect(tab2.getSnapshot().unread).toBe(0);
    await waitFor(() => expect(tab1.getSnapshot().unread).toBe(0));
    expect(tab1.getSnapshot().items.every((n) => n.read)).toBe(true);

    // Dismiss in tab 1 removes it (and its toast) in tab 2.
    await tab1.dismiss(fresh.id);
    await waitFor(() => expect(tab2.getSnapshot().items.map((n) => n.title)).toEqual(['old one']));
    expect(tab2.getSnapshot().toasts).toEqual([]);
    expect((await store.listNotifications('alice', { limit: 10 })).items).toHaveLength(1);
  });

  it('keeps two feeds on one connection (bell and page) in step: read, read all, dismiss', async () => {
    const server = await startReal(new MemoryStore());
    const a = await server.wirekit.notify('alice', { title: 'a' });
    const b = await server.wirekit.notify('alice', { title: 'b' });
    const { connection } = tab(server.url, 'alice');
    const bell = feed(connection);
    const page = feed(connection);
    await waitFor(() => expect(bell.getSnapshot().status).toBe('ready'));
    await waitFor(() => expect(page.getSnapshot().status).toBe('ready'));
    expect(bell.getSnapshot().unread).toBe(2);

    // The server tells the user's other sessions, not this one: the bell hears it from the page.
    await page.markRead(a.id);
    await waitFor(() => expect(bell.getSnapshot().unread).toBe(1));
    expect(bell.getSnapshot().items.find((n) => n.id === a.id)?.read).toBe(true);
    await page.dismiss(b.id);
    await waitFor(() => expect(bell.getSnapshot().items.map((n) => n.id)).toEqual([a.id]));
    expect(bell.getSnapshot().unread).toBe(0);
    const c = await server.wirekit.notify('alice', { title: 'c' });
    await waitFor(() => expect(bell.getSnapshot().unread).toBe(1));
    await bell.markAllRead();
    await waitFor(() => expect(page.getSnapshot().unread).toBe(0));
    expect(page.getSnapshot().items.find((n) => n.id === c.id)?.read).toBe(true);
  });

  it("shows notify('all') broadcasts sent while the user was away, once", async () => {
    const store = new MemoryStore();
    const server = await startReal(store);
    await server.wirekit.notify('alice', { title: 'personal' });
    const first = await server.wirekit.notify('all', { title: 'Maintenance at 22:00' });
    const gate = { online: true };
    const aliceTab = tab(server.url, 'alice', gate);
    const f = feed(aliceTab.connection);
    await waitFor(() => expect(f.getSnapshot().status).toBe('ready'));
    const titles = () => f.getSnapshot().items.map((n) => n.title);
    expect(titles()).toEqual(['Maintenance at 22:00', 'personal']);
    expect(f.getSnapshot()).toMatchObject({ unread: 2, toasts: [] });
    await f.dismiss(first.id);

    gate.online = false;
    kick(server, 'alice');
    await waitFor(() => expect(f.getSnapshot().connection).not.toBe('connected'));
    await server.wirekit.notify('all', { title: 'Back at 23:00' });
    gate.online = true;
    // The list after the reconnect brings the new broadcast, not the dismissed one.
    await waitFor(() => expect(titles()).toEqual(['Back at 23:00', 'personal']));
    expect(f.getSnapshot().unread).toBe(2);
    expect((await store.listNotifications('alice', { limit: 10 })).items).toHaveLength(2);
  });

  it('pages with loadMore and keeps its last snapshot while offline', async () => {
    const store = new MemoryStore();
    const server = await startReal(store);
    for (let i = 1; i <= 7; i++) await server.wirekit.notify('alice', { title: `n${i}` });
    const gate = { online: true };
    const aliceTab = tab(server.url, 'alice', gate);
    const f = feed(aliceTab.connection, { pageSize: 5 });
    await waitFor(() => expect(f.getSnapshot().status).toBe('ready'));
    expect(f.getSnapshot().items.map((n) => n.title)).toEqual(['n7', 'n6', 'n5', 'n4', 'n3']);
    expect(f.getSnapshot().hasMore).toBe(true);
    await f.loadMore();
    expect(f.getSnapshot().items.map((n) => n.title)).toEqual([
      'n7',
      'n6',
      'n5',
      'n4',
      'n3',
      'n2',
      'n1',
    ]);
    expect(f.getSnapshot()).toMatchObject({ hasMore: false, unread: 7 });

    gate.online = false;
    kick(server, 'alice');
    await waitFor(() => expect(f.getSnapshot().connection).not.toBe('connected'));
    expect(f.getSnapshot()).toMatchObject({ status: 'ready', unread: 7 });
    expect(f.getSnapshot().items).toHaveLength(7);
    // Marked read offline: shown at once, delivered after the reconnect.
    const marking = f.markAllRead();
    expect(f.getSnapshot().unread).toBe(0);
    gate.online = true;
    await marking;
    await waitFor(() => expect(f.getSnapshot().connection).toBe('connected'));
    expect(await store.unreadCount('alice')).toBe(0);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Drops every server-side socket of `user` (the client sees a server disconnect). */
function kick(server: RealServer, user: string): void {
  for (const socket of server.io.of('/').sockets.values()) {
    if ((socket.handshake.auth as { token?: string }).token === tokenOf(user)) {
      socket.disconnect(true);
    }
  }
}
