/**
 * @wirekit/core's ChatRoom disposed before its join (or rejoin) finished, against the real
 * server: the server must end up with the user out of the room. Here, not in core, because
 * core cannot depend on this package (build cycle).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createChatRoom,
  createPool,
  microtaskScheduler,
  socketio,
  type ChatRoom,
  type ChatRoomOptions,
  type Connection,
} from '@wirekit/core';
import { attachWirekit } from './attach.js';
import { roomChannel } from './services/hub.js';
import { MemoryStore } from './store/memory.js';
import { authenticate, tokenOf } from './test-utils/harness.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startReal(store: MemoryStore) {
  const http = createServer();
  const io = new Server(http);
  const wirekit = attachWirekit(io, { authenticate, store, rateLimit: false, onError: () => {} });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  cleanups.push(async () => {
    await wirekit.close();
    await io.close();
  });
  return { url: `http://127.0.0.1:${port}`, io, wirekit };
}
type RealServer = Awaited<ReturnType<typeof startReal>>;

function tab(url: string, user: string) {
  const pool = createPool({
    url,
    transport: socketio(),
    connectOnServer: true,
    idleTimeout: 0,
    heartbeat: false,
    backoff: { initialDelay: 30, maxDelay: 150, jitter: 0 },
    auth: () => ({ token: tokenOf(user) }),
  });
  const lease = pool.acquire('/');
  cleanups.push(() => pool.destroy());
  return lease.connection as Connection;
}

function room(connection: Connection, options: Partial<ChatRoomOptions> = {}): ChatRoom {
  const r = createChatRoom(connection, {
    room: 'lobby',
    scheduler: microtaskScheduler,
    ...options,
  });
  cleanups.push(() => r.dispose());
  return r;
}

const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 5000, interval: 10 });

/** Sockets the server holds in the room's channel. */
const inRoom = (server: RealServer, name = 'lobby') =>
  server.io.of('/').adapter.rooms.get(roomChannel(name))?.size ?? 0;

/** Sessions of `user` on the server. */
const socketsOf = (server: RealServer, user: string) =>
  [...server.io.of('/').sockets.values()].filter(
    (s) => (s.handshake.auth as { token?: string }).token === tokenOf(user),
  );

/** A room message sent by bob (joined over his own tab); resolves once the server stored it. */
async function bobSays(url: string, text: string) {
  const bob = room(tab(url, 'bob'));
  bob.start();
  await waitFor(() => expect(bob.getSnapshot().status).toBe('joined'));
  bob.send(text);
  await waitFor(() => expect(bob.getSnapshot().messages.at(-1)?.status).toBe('sent'));
}

/** Asserts no lobby message reached `connection` up to now (a ping's ack travels behind). */
async function expectNoLobbyMessages(connection: Connection, seen: unknown[]) {
  await connection.send('wk:ping', undefined, { ack: true });
  expect(seen).toEqual([]);
}

describe('ChatRoom disposed before its join finished (real server)', () => {
  it('leaves the room when disposed while its join is in flight', async () => {
    const server = await startReal(new MemoryStore());
    const joins = vi.spyOn(server.wirekit.chat, 'join');
    const leaves = vi.spyOn(server.wirekit.chat, 'leave');
    const alice = tab(server.url, 'alice');
    await waitFor(() => expect(alice.state).toBe('connected'));
    const seen: unknown[] = [];
    alice.on('chat:message', (m) => seen.push(m));

    // A chat view mounted and at once unmounted: the join is written, its ack not back yet.
    const r = room(alice);
    r.start();
    r.dispose();

    await waitFor(() => expect(joins).toHaveBeenCalledTimes(1));
    expect(await joins.mock.results[0]!.value).toMatchObject({ ok: true });
    // The server processed the join: it must drop the user again.
    await waitFor(() => expect(inRoom(server)).toBe(0));
    expect(server.wirekit.health().rooms).toBe(0);

    await bobSays(server.url, 'anyone there?');
    await expectNoLobbyMessages(alice, seen);
    expect(leaves).toHaveBeenCalledTimes(1); // once, not again when the ack came back
  });

  it('leaves the room when disposed while a rejoin is catching up', async () => {
    const store = new MemoryStore();
    const server = await startReal(store);
    const carolSays = (id: string) =>
      store.appendMessage({
        id,
        room: 'lobby',
        text: id,
        user: { id: 'carol', name: 'Carol' },
        createdAt: 1_700_000_000_000,
      });
    for (let i = 1; i <= 2; i++) await carolSays(`before-${i}`);
    const alice = tab(server.url, 'alice');
    const r = room(alice, { pageSize: 2 });
    r.start();
    await waitFor(() => expect(r.getSnapshot().messages.length).toBe(2));

    // Alice drops; more than a page is posted meanwhile, so her rejoin pages back (held here).
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const history = server.wirekit.chat.history.bind(server.wirekit.chat);
    const historyCalls = vi
      .spyOn(server.wirekit.chat, 'history')
      .mockImplementation(async (...args) => {
        await held;
        return history(...args);
      });
    for (const socket of socketsOf(server, 'alice')) socket.disconnect(true);
    await waitFor(() => expect(r.getSnapshot().connection).not.toBe('connected'));
    for (let i = 1; i <= 5; i++) await carolSays(`away-${i}`);
    await waitFor(() => expect(historyCalls).toHaveBeenCalled());
    expect(inRoom(server)).toBe(1); // rejoined on the server, still catching up on the client
    const seen: unknown[] = [];
    alice.on('chat:message', (m) => seen.push(m));

    r.dispose();
    release();
    await waitFor(() => expect(inRoom(server)).toBe(0));

    await bobSays(server.url, 'still there?');
    await expectNoLobbyMessages(alice, seen);
  });

  it('needs no leave when disposed while offline, and a queued join replayed later is undone', async () => {
    const server = await startReal(new MemoryStore());
    const alice = tab(server.url, 'alice');
    await waitFor(() => expect(alice.state).toBe('connected'));
    const joins = vi.spyOn(server.wirekit.chat, 'join');
    const leaves = vi.spyOn(server.wirekit.chat, 'leave');
    // The link drops right after the join is written: the join stays queued (no ack yet).
    const r = room(alice);
    r.start();
    for (const socket of socketsOf(server, 'alice')) socket.disconnect(true);
    await waitFor(() => expect(alice.state).not.toBe('connected'));
    r.dispose();

    // The connection (still leased) comes back and replays the queued join: undone by a leave.
    await waitFor(() => expect(alice.state).toBe('connected'));
    await waitFor(() => expect(leaves).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(inRoom(server)).toBe(0));
    expect(joins.mock.calls.length).toBeGreaterThanOrEqual(1);
    const seen: unknown[] = [];
    alice.on('chat:message', (m) => seen.push(m));
    await bobSays(server.url, 'hello?');
    await expectNoLobbyMessages(alice, seen);
    expect(leaves).toHaveBeenCalledTimes(1);
  });
});

describe('two ChatRooms of one room on one connection (two views of it)', () => {
  it('disposing one keeps the other in the room: it still receives and sends', async () => {
    const server = await startReal(new MemoryStore());
    const bobConnection = tab(server.url, 'bob');
    const panel = room(bobConnection);
    const preview = room(bobConnection);
    const alice = room(tab(server.url, 'alice'));
    panel.start();
    preview.start();
    alice.start();
    for (const r of [panel, preview, alice]) {
      await waitFor(() => expect(r.getSnapshot().status).toBe('joined'));
    }
    preview.dispose();
    // The leave reaches the server before alice's message, were it sent.
    alice.send('still there?');
    await waitFor(() =>
      expect(
        panel
          .getSnapshot()
          .messages.toArray()
          .map((m) => m.text),
      ).toEqual(['still there?']),
    );
    panel.send('yes');
    await waitFor(() => expect(panel.getSnapshot().messages.at(-1)?.status).not.toBe('pending'));
    expect(panel.getSnapshot().messages.at(-1)).toMatchObject({ status: 'sent', text: 'yes' });
    expect(inRoom(server)).toBe(2);
    panel.dispose();
    await waitFor(() => expect(inRoom(server)).toBe(1));
  });

  it('a message sent through one shows in the other', async () => {
    const server = await startReal(new MemoryStore());
    const bobConnection = tab(server.url, 'bob');
    const panel = room(bobConnection);
    const preview = room(bobConnection);
    panel.start();
    preview.start();
    for (const r of [panel, preview]) {
      await waitFor(() => expect(r.getSnapshot().status).toBe('joined'));
    }
    panel.send('hello');
    await waitFor(() =>
      expect(
        preview
          .getSnapshot()
          .messages.toArray()
          .map((m) => m.text),
      ).toEqual(['hello']),
    );
    expect(preview.getSnapshot().messages.at(0)).toMatchObject({ status: 'sent', own: true });
  });
});
