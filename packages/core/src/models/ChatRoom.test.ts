import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Connection } from '../connection/Connection.js';
import { WirekitError } from '../errors.js';
import { ChatRoom, createChatRoom, type ChatRoomOptions } from './ChatRoom.js';
import { frameScheduler, microtaskScheduler, type BatchScheduler } from './frameScheduler.js';
import { createFakeServer, message, ME, OTHER } from './test-utils/fakeServer.js';

/** Runs microtask hops of the memory transport (and due fake timers). */
const flush = () => vi.advanceTimersByTimeAsync(0);

let open: Array<{ dispose(): void } | Connection> = [];
afterEach(() => {
  for (const o of open) {
    if ('dispose' in o) o.dispose();
    else o.close();
  }
  open = [];
  vi.useRealTimers();
});

function setup(options: Partial<ChatRoomOptions> = {}) {
  const fake = createFakeServer();
  const connection = fake.connection();
  const room = createChatRoom(connection, {
    room: 'lobby',
    scheduler: microtaskScheduler,
    ...options,
  });
  open.push(room, connection);
  return { fake, connection, room };
}

async function started(options: Partial<ChatRoomOptions> = {}) {
  const s = setup(options);
  s.connection.open();
  s.room.start();
  await flush();
  expect(s.room.getSnapshot().status).toBe('joined');
  return s;
}

const seqs = (room: ChatRoom) => [...room.getSnapshot().messages].map((m) => m.seq);

describe('ChatRoom', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });

  it('exposes an inert initial snapshot until started (SSR)', () => {
    const { room, connection } = setup();
    const snapshot = room.getSnapshot();
    expect(snapshot).toMatchObject({
      room: 'lobby',
      status: 'idle',
      connection: 'idle',
      self: null,
      hasOlder: false,
      typing: [],
      members: [],
    });
    expect(snapshot.messages.length).toBe(0);
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(room.getSnapshot()).toBe(snapshot); // stable until something changes
    expect(connection.getSnapshot().listeners).toBe(0);
  });

  it('joins on start with history and members, learns who it is', async () => {
    const { fake, room, connection } = setup();
    fake.messages.push(message(1), message(2, { user: ME }));
    room.start(); // before the connection opens: joins once it is connected
    room.start(); // idempotent
    expect(room.getSnapshot().status).toBe('idle');
    connection.open();
    await flush();
    const s = room.getSnapshot();
    expect(s.status).toBe('joined');
    expect(s.self).toEqual(ME);
    expect(seqs(room)).toEqual([1, 2]);
    expect(s.messages.toArray().map((m) => m.own)).toEqual([false, true]);
    expect(s.members.map((m) => m.id)).toEqual(['other', 'me']);
    expect(fake.sent('chat:join')).toHaveLength(1);
  });

  it('knows who it is in a room created after the hello (same connection)', async () => {
    const { connection, fake } = await started();
    fake.messages.push(message(1, { user: ME, room: 'other' }));
    const later = createChatRoom(connection, { room: 'other', scheduler: microtaskScheduler });
    open.push(later);
    expect(later.getSnapshot().self).toEqual(ME);
    later.start();
    await flush();
    expect(later.getSnapshot().messages.at(0)?.own).toBe(true);
  });

  it('orders by seq and deduplicates by id', async () => {
    const { fake, room } = await started();
    fake.emit('chat:message', message(3));
    fake.emit('chat:message', message(1));
    fake.emit('chat:message', message(2));
    fake.emit('chat:message', message(3)); // duplicate
    await flush();
    expect(seqs(room)).toEqual([1, 2, 3]);
    fake.emit('chat:edited', message(2, { text: 'edited', editedAt: 5 }));
    fake.emit('chat:deleted', { room: 'lobby', id: 'm3', deletedAt: 6 });
    fake.emit('chat:message', message(9, { room: 'elsewhere' }));
    await flush();
    expect(
      room
        .getSnapshot()
        .messages.toArray()
        .map((m) => m.text),
    ).toEqual(['text 1', 'edited', '']);
  });

  it('shows a send as pending at once, then sent; a refused one fails and can be retried', async () => {
    const { fake, room } = await started();
    const cid = room.send('hi');
    expect(room.getSnapshot().messages.at(-1)).toMatchObject({
      id: cid,
      status: 'pending',
      own: true,
      user: ME,
    });
    await flush();
    expect(room.getSnapshot().messages.at(-1)).toMatchObject({
      id: 's1',
      status: 'sent',
      clientId: cid,
    });
    expect(fake.sent('chat:send')[0]?.cid).toBe(cid);

    fake.replies.set('chat:send', () => ({
      ok: false,
      error: { code: 'rate_limited', message: 'slow down', retryAfterMs: 100 },
    }));
    const failed = room.send('again');
    await flush();
    expect(room.getSnapshot().messages.at(-1)).toMatchObject({
      id: failed,
      status: 'failed',
      error: { code: 'rate_limited' },
    });

    fake.replies.delete('chat:send');
    room.retry(failed);
    expect(room.getSnapshot().messages.at(-1)?.status).toBe('pending');
    await flush();
    expect(room.getSnapshot().messages.at(-1)).toMatchObject({ status: 'sent', clientId: failed });
    // The retry went out under the same client id, so the server can deduplicate it.
    expect(fake.sent('chat:send').map((s) => s.cid)).toEqual([cid, failed, failed]);
    expect(room.getSnapshot().messages.length).toBe(2);
  });

  it('refuses blank text with a typed error', async () => {
    const { room } = await started();
    expect(() => room.send('   ')).toThrow(WirekitError);
    expect(() => room.send('x'.repeat(4001))).toThrow(/at most 4000/);
    expect(room.getSnapshot().messages.length).toBe(0);
  });

  it('replaces a pending item when its stored copy arrives first (no double)', async () => {
    const { fake, room } = await started();
    fake.replies.set('chat:send', (d) => {
      // No ack (yet); the stored message reaches us another way (e.g. a catch-up page).
      fake.emit(
        'chat:message',
        message(1, { user: ME, clientId: d.clientId as string, text: 'hi' }),
      );
      return undefined;
    });
    const cid = room.send('hi');
    await flush();
    expect(room.getSnapshot().messages.toArray()).toEqual([
      expect.objectContaining({ id: 'm1', clientId: cid, status: 'sent', own: true }),
    ]);
  });

  it('expires typing indicators and owns their timers', async () => {
    const { fake, room } = await started({ typingTimeout: 6000 });
    fake.emit('chat:typing', { room: 'lobby', user: OTHER, typing: true });
    fake.emit('chat:typing', { room: 'lobby', user: ME, typing: true }); // never self
    await flush();
    expect(room.getSnapshot().typing).toEqual([OTHER]);
    expect(room.timers).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    fake.emit('chat:typing', { room: 'lobby', user: OTHER, typing: true }); // refreshed
    await vi.advanceTimersByTimeAsync(5000);
    expect(room.getSnapshot().typing).toEqual([OTHER]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(room.getSnapshot().typing).toEqual([]);
    expect(room.timers).toBe(0);

    fake.emit('chat:typing', { room: 'lobby', user: OTHER, typing: true });
    await flush();
    fake.emit('chat:typing', { room: 'lobby', user: OTHER, typing: false });
    await flush();
    expect(room.getSnapshot().typing).toEqual([]);
    expect(room.timers).toBe(0);
  });

  it('throttles notifyTyping and sends it volatile', async () => {
    const { fake, room } = await started({ typingThrottle: 2000 });
    room.notifyTyping();
    room.notifyTyping();
    await flush();
    expect(fake.sent('chat:typing')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2000);
    room.notifyTyping();
    room.stopTyping();
    await flush();
    expect(fake.sent('chat:typing').map((s) => (s.data as { typing: boolean }).typing)).toEqual([
      true,
      true,
      false,
    ]);
    expect(fake.sent('chat:typing').every((s) => s.cid === undefined)).toBe(true);
  });

  it('tracks presence', async () => {
    const { fake, room } = await started();
    fake.emit('chat:presence', { room: 'lobby', user: { id: 'new' }, action: 'join' });
    fake.emit('chat:typing', { room: 'lobby', user: OTHER, typing: true });
    await flush();
    expect(room.getSnapshot().members.map((m) => m.id)).toEqual(['other', 'me', 'new']);
    fake.emit('chat:presence', { room: 'lobby', user: OTHER, action: 'leave' });
    await flush();
    expect(room.getSnapshot().members.map((m) => m.id)).toEqual(['me', 'new']);
    expect(room.getSnapshot().typing).toEqual([]); // a leaver stops typing
  });

  it('counts members from the ack and one-user presence events (older servers)', async () => {
    const { fake, room } = await started();
    expect(room.getSnapshot().memberCount).toBe(2); // no memberCount in the ack: the list's size
    fake.emit('chat:presence', { room: 'lobby', user: { id: 'new' }, action: 'join' });
    await flush();
    expect(room.getSnapshot().memberCount).toBe(3);
  });

  it('replaces members with a coalesced presence update, latest wins', async () => {
    const { fake, room } = await started();
    fake.emit('chat:typing', { room: 'lobby', user: OTHER, typing: true });
    fake.emit('chat:presence', {
      room: 'lobby',
      count: 3,
      members: [ME, { id: 'a' }, { id: 'b', name: 'B' }],
    });
    fake.emit('chat:presence', { room: 'elsewhere', count: 9, members: [{ id: 'x' }] });
    await flush();
    let s = room.getSnapshot();
    expect(s.members.map((m) => m.id)).toEqual(['me', 'a', 'b']);
    expect(s.memberCount).toBe(3);
    expect(s.typing).toEqual([]); // `other` is gone: its indicator too
    // A room over the server's list limit: a count and no list.
    fake.emit('chat:presence', { room: 'lobby', count: 1200 });
    await flush();
    s = room.getSnapshot();
    expect(s.members).toEqual([]);
    expect(s.memberCount).toBe(1200);
    // Back under the limit: the full list again.
    fake.emit('chat:presence', { room: 'lobby', count: 2, members: [ME, OTHER] });
    await flush();
    expect(room.getSnapshot().members.map((m) => m.id)).toEqual(['me', 'other']);
    expect(room.getSnapshot().memberCount).toBe(2);
  });

  it('drops a malformed presence update', async () => {
    const { fake, room } = await started();
    const before = room.getSnapshot();
    fake.emit('chat:presence', { room: 'lobby', count: -3, members: [{ id: 'x' }] });
    fake.emit('chat:presence', { room: 'lobby', members: [{ id: 'x' }] });
    await flush();
    expect(room.getSnapshot().members).toBe(before.members);
    expect(room.getSnapshot().memberCount).toBe(2);
  });

  it('keeps at most maxMessages and can load the trimmed ones again', async () => {
    const { fake, room } = await started({ maxMessages: 10, pageSize: 5 });
    for (let seq = 1; seq <= 25; seq++) fake.messages.push(message(seq));
    for (let seq = 1; seq <= 25; seq++) fake.emit('chat:message', message(seq));
    await flush();
    expect(seqs(room)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(room.getSnapshot().hasOlder).toBe(true);
    await room.loadOlder();
    expect(seqs(room)[0]).toBe(11);
    expect(room.getSnapshot().messages.length).toBe(15);
    expect(fake.sent('chat:history').at(-1)?.data).toMatchObject({ before: '16', limit: 5 });
  });

  it('drops and counts invalid inbound payloads without breaking', async () => {
    const { fake, room, connection } = await started();
    fake.emit('chat:message', { room: 'lobby', text: '<script>' });
    fake.emit('chat:typing', { room: 'lobby', typing: 'yes' });
    fake.emit('chat:message', message(1));
    await flush();
    expect(seqs(room)).toEqual([1]);
    expect(connection.getSnapshot().invalid).toBe(2);
  });

  it('reports an invalid room name instead of throwing', () => {
    const { room, connection } = setup({ room: '../etc' });
    room.start();
    expect(room.getSnapshot()).toMatchObject({ status: 'error', error: { kind: 'invalid' } });
    expect(connection.getSnapshot().listeners).toBe(0);
  });

  it('rejoins after a reconnect and defers sends refused before the rejoin', async () => {
    const { fake, room, connection } = await started();
    for (const peer of fake.server.peers) peer.close('restart');
    await flush();
    expect(room.getSnapshot().status).toBe('joining');
    // The new session is not in the room until the rejoin lands.
    let joinedAgain = false;
    fake.replies.set('chat:send', (d) => {
      if (!joinedAgain) return { ok: false, error: { code: 'forbidden', message: 'join first' } };
      fake.replies.delete('chat:send');
      return {
        ok: true,
        message: message(1, { user: ME, text: d.text as string, clientId: d.clientId as string }),
        duplicate: false,
      };
    });
    const cid = room.send('queued');
    fake.replies.set('chat:join', () => {
      joinedAgain = true;
      return { ok: true, room: 'lobby', messages: [], nextCursor: null, members: [ME] };
    });
    await vi.advanceTimersByTimeAsync(50);
    expect(connection.state).toBe('connected');
    expect(room.getSnapshot().status).toBe('joined');
    expect(room.getSnapshot().messages.at(-1)).toMatchObject({ status: 'sent', clientId: cid });
    expect(fake.sent('chat:send').map((s) => s.cid)).toEqual([cid, cid]);
  });

  describe('changes made while away', () => {
    /** Joined with 21..30 and then 11..20 loaded; m1..m30 on the server. */
    async function holding() {
      const s = setup({ pageSize: 10 });
      for (let seq = 1; seq <= 30; seq++) s.fake.messages.push(message(seq));
      s.connection.open();
      s.room.start();
      await flush();
      await s.room.loadOlder();
      expect(seqs(s.room)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
      return s;
    }
    const bySeq = (room: ChatRoom, seq: number) =>
      [...room.getSnapshot().messages].find((m) => m.seq === seq);
    async function reconnect(fake: ReturnType<typeof createFakeServer>, room: ChatRoom) {
      for (const peer of fake.server.peers) peer.close('restart');
      await flush();
      expect(room.getSnapshot().status).toBe('joining');
      await vi.advanceTimersByTimeAsync(50);
      expect(room.getSnapshot().status).toBe('joined');
    }

    it('applies edits and deletions of older held messages on rejoin, paging through them', async () => {
      const { fake, room } = await holding();
      fake.changes.pageLimit = 2;
      fake.change('m12', { text: 'edited while away' });
      fake.change('m15', { deleted: true });
      fake.change('m3', { text: 'never loaded' });
      fake.change('m12', { text: 'edited twice' });
      fake.change('m25', { text: 'in the rejoin page' });
      await reconnect(fake, room);

      expect(bySeq(room, 12)).toMatchObject({ text: 'edited twice', editedAt: 5_004 });
      expect(bySeq(room, 15)).toMatchObject({ text: '', deletedAt: 5_002 });
      expect(bySeq(room, 25)).toMatchObject({ text: 'in the rejoin page' });
      // Changes to messages it does not hold stay on the server until paged in.
      expect(seqs(room)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
      expect(fake.sent('chat:changes').map((r) => r.data)).toEqual([
        { room: 'lobby', since: 0, limit: 100 },
        { room: 'lobby', since: 3, limit: 100 },
      ]);

      // Caught up: the next rejoin asks only for what changed after revision 5.
      fake.change('m11', { deleted: true });
      await reconnect(fake, room);
      expect(bySeq(room, 11)).toMatchObject({ text: '', deletedAt: 5_006 });
      expect(fake.sent('chat:changes').at(-1)?.data).toMatchObject({ since: 5 });
    });

    it('asks again for the changes when the server rate-limits the request', async () => {
      const { fake, room } = await holding();
      fake.change('m12', { text: 'edited while away' });
      fake.replies.set('chat:changes', () => {
        fake.replies.delete('chat:changes');
        return { ok: false, error: { code: 'rate_limited', message: 'slow', retryAfterMs: 300 } };
      });
      await reconnect(fake, room);
      expect(bySeq(room, 12)?.text).toBe('text 12');
      await vi.advanceTimersByTimeAsync(300);
      expect(bySeq(room, 12)).toMatchObject({ text: 'edited while away' });
      expect(fake.sent('chat:changes')).toHaveLength(2);
    });

    it('asks nothing when nothing changed, or when the server does not track changes', async () => {
      const { fake, room } = await holding();
      await reconnect(fake, room);
      expect(fake.sent('chat:changes')).toEqual([]);
      // An older server: its join reply has no `rev`.
      fake.replies.set('chat:join', (d) => ({
        ok: true,
        room: d.room,
        messages: [],
        nextCursor: '21',
        members: [ME],
      }));
      fake.change('m12', { text: 'unseen' });
      await reconnect(fake, room);
      expect(fake.sent('chat:changes')).toEqual([]);
      expect(bySeq(room, 12)?.text).toBe('text 12');
    });

    it('keeps its revision when the sync fails, and catches up on the next rejoin', async () => {
      const { fake, room } = await holding();
      fake.change('m13', { text: 'edited' });
      fake.replies.set('chat:changes', () => ({
        ok: false,
        error: { code: 'unavailable', message: 'try later' },
      }));
      await reconnect(fake, room);
      expect(bySeq(room, 13)?.text).toBe('text 13');
      fake.replies.delete('chat:changes');
      await reconnect(fake, room);
      expect(bySeq(room, 13)?.text).toBe('edited');
      expect(fake.sent('chat:changes').map((r) => (r.data as { since: number }).since)).toEqual([
        0, 0,
      ]);
    });
  });

  describe('ordering edits', () => {
    const text = (room: ChatRoom, seq: number) =>
      [...room.getSnapshot().messages].find((m) => m.seq === seq)?.text;

    it('orders edits by version, not by the clock of the node that made them', async () => {
      const { fake, room } = await started();
      fake.emit('chat:message', message(1));
      // Node A's clock runs ahead: its edit carries the later editedAt but is the older change.
      fake.emit('chat:edited', message(1, { text: 'first', editedAt: 9_000, version: 1 }));
      fake.emit('chat:edited', message(1, { text: 'second', editedAt: 2_000, version: 2 }));
      // A late copy of the first edit (another node's broadcast) changes nothing.
      fake.emit('chat:edited', message(1, { text: 'first', editedAt: 9_000, version: 1 }));
      await flush();
      expect(text(room, 1)).toBe('second');
      fake.emit('chat:deleted', { room: 'lobby', id: 'm1', deletedAt: 1 });
      fake.emit('chat:edited', message(1, { text: 'after', editedAt: 9_999, version: 4 }));
      await flush();
      expect(text(room, 1)).toBe(''); // a deletion is final
    });

    it('falls back to editedAt for servers that send no version', async () => {
      const { fake, room } = await started();
      fake.emit('chat:message', message(2));
      fake.emit('chat:edited', message(2, { text: 'newer', editedAt: 20 }));
      fake.emit('chat:edited', message(2, { text: 'older', editedAt: 10 }));
      await flush();
      expect(text(room, 2)).toBe('newer');
    });

    it("lets an edit's reply yield to a later edit from another tab that arrived first", async () => {
      const { fake, room } = await started();
      fake.emit('chat:message', message(1, { user: ME }));
      await flush();
      let reply!: (value: unknown) => void;
      fake.replies.set('chat:edit', () => new Promise((resolve) => (reply = resolve)));
      const editing = room.edit('m1', 'from this tab');
      expect(text(room, 1)).toBe('from this tab'); // optimistic
      await flush();
      fake.emit('chat:edited', message(1, { user: ME, text: 'from the other tab', version: 2 }));
      await flush();
      expect(text(room, 1)).toBe('from the other tab');
      reply({ ok: true, message: message(1, { user: ME, text: 'from this tab', version: 1 }) });
      await editing;
      expect(text(room, 1)).toBe('from the other tab');
    });

    it("applies an unversioned edit reply over the optimistic copy and the client's clock", async () => {
      const { fake, room } = await started();
      fake.emit('chat:message', message(1, { user: ME }));
      await flush();
      // The server's clock is far behind the client's (fake time starts at 1,000,000).
      fake.replies.set('chat:edit', () => ({
        ok: true,
        message: message(1, { user: ME, text: 'as stored', editedAt: 5 }),
      }));
      await room.edit('m1', 'as typed');
      expect(room.getSnapshot().messages.at(0)).toMatchObject({ text: 'as stored', editedAt: 5 });
    });
  });
  it('dispose leaves the room and removes every listener and timer', async () => {
    const { fake, room, connection } = await started();
    const baseline = 0;
    fake.emit('chat:typing', { room: 'lobby', user: OTHER, typing: true });
    await flush();
    const listener = vi.fn();
    room.subscribe(listener);
    expect(room.timers).toBe(1);
    room.dispose();
    room.dispose();
    await flush();
    expect(fake.sent('chat:leave')).toHaveLength(1);
    expect(connection.getSnapshot().listeners).toBe(baseline);
    expect(room.timers).toBe(0);
    fake.emit('chat:message', message(1));
    await flush();
    expect(listener).not.toHaveBeenCalled();
    expect(() => room.send('late')).toThrow(/disposed/);
  });

  it('disposed while its join is in flight: leaves once the ack is back, model untouched', async () => {
    const { fake, room, connection } = setup();
    fake.messages.push(message(1));
    let answer!: () => void;
    const acked = new Promise<void>((resolve) => (answer = resolve));
    fake.replies.set('chat:join', async (d) => {
      await acked;
      return { ok: true, room: d.room, messages: [message(1)], nextCursor: null, members: [ME] };
    });
    connection.open();
    room.start();
    await flush();
    expect(fake.sent('chat:join')).toHaveLength(1);
    const before = room.getSnapshot();
    const listener = vi.fn();
    room.subscribe(listener);
    room.dispose();
    await flush();
    expect(fake.sent('chat:leave')).toHaveLength(0); // it would reach the server before the join
    answer();
    await flush();
    expect(fake.received.map((r) => r.event).filter((e) => e.startsWith('chat:'))).toEqual([
      'chat:join',
      'chat:leave',
    ]);
    expect(room.getSnapshot()).toBe(before);
    expect(before.status).toBe('joining');
    expect(listener).not.toHaveBeenCalled();
    room.dispose();
    await flush();
    expect(fake.sent('chat:leave')).toHaveLength(1);
  });

  it('disposed while its join is in flight: a refused join needs no leave', async () => {
    const { fake, room, connection } = setup();
    let answer!: () => void;
    const acked = new Promise<void>((resolve) => (answer = resolve));
    fake.replies.set('chat:join', async () => {
      await acked;
      return { ok: false, error: { code: 'forbidden', message: 'no' } };
    });
    connection.open();
    room.start();
    await flush();
    room.dispose();
    answer();
    await flush();
    expect(fake.sent('chat:leave')).toHaveLength(0);
  });
});

describe('ChatRoom batching', () => {
  it('tells subscribers a handful of times for a burst of 10,000 messages', async () => {
    const fake = createFakeServer();
    const connection = fake.connection();
    const room = new ChatRoom(connection, { room: 'lobby', maxMessages: 20_000 });
    open.push(room, connection);
    connection.open();
    room.start();
    await vi.waitFor(() => expect(room.getSnapshot().status).toBe('joined'));
    const listener = vi.fn();
    room.subscribe(listener);
    for (let seq = 1; seq <= 10_000; seq++) fake.emit('chat:message', message(seq));
    await vi.waitFor(() => expect(room.getSnapshot().messages.length).toBe(10_000));
    await new Promise((resolve) => frameScheduler.schedule(() => resolve(undefined)));
    expect(listener.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(listener.mock.calls.length).toBeLessThanOrEqual(5);
    expect(listener.mock.lastCall?.[0].messages.length).toBe(10_000);
    expect(seqs(room).every((seq, i) => seq === i + 1)).toBe(true);
  });

  it('coalesces inbound changes through the injected scheduler', async () => {
    vi.useFakeTimers();
    const runs: Array<() => void> = [];
    const manual: BatchScheduler = {
      schedule: (fn) => {
        runs.push(fn);
        return () => runs.splice(runs.indexOf(fn), 1);
      },
    };
    const { fake, room, connection } = setup({ scheduler: manual });
    connection.open();
    room.start();
    await flush();
    runs.splice(0).forEach((fn) => fn());
    const listener = vi.fn();
    room.subscribe(listener);
    fake.emit('chat:message', message(1));
    fake.emit('chat:message', message(2));
    await flush();
    expect(listener).not.toHaveBeenCalled();
    expect(runs).toHaveLength(1);
    runs.splice(0).forEach((fn) => fn());
    expect(listener).toHaveBeenCalledTimes(1);
    // Local actions are not delayed.
    room.send('now');
    expect(listener).toHaveBeenCalledTimes(2);
  });
});

describe('ChatRoom catch-up after a reconnect', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });

  const range = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('fills the gap when a live message lands before the rejoin ack', async () => {
    const { fake, room } = await started({ pageSize: 10 });
    for (let seq = 1; seq <= 10; seq++) fake.messages.push(message(seq));
    for (let seq = 1; seq <= 10; seq++) fake.emit('chat:message', message(seq));
    await flush();
    expect(seqs(room)).toEqual(range(1, 10));
    for (const peer of fake.server.peers) peer.close('restart');
    await flush();
    // Missed while away.
    for (let seq = 11; seq <= 40; seq++) fake.messages.push(message(seq));
    // The server has us in the room's channel before it reads the page: a message sent then is
    // pushed to us ahead of the join ack, and is in the page too.
    fake.replies.set('chat:join', (d) => {
      fake.messages.push(message(41));
      fake.emit('chat:message', message(41));
      fake.replies.delete('chat:join');
      return {
        ok: true,
        room: d.room,
        messages: fake.messages.slice(-10),
        nextCursor: '32',
        members: [ME],
      };
    });
    await vi.advanceTimersByTimeAsync(50);
    expect(room.getSnapshot().status).toBe('joined');
    expect(seqs(room)).toEqual(range(1, 41));
  });

  it('never leaves a hole between held messages and the newest when many were missed', async () => {
    const { fake, room } = await started({ pageSize: 10, maxMessages: 200 });
    for (let seq = 1; seq <= 200; seq++) fake.messages.push(message(seq));
    for (let seq = 1; seq <= 200; seq++) fake.emit('chat:message', message(seq));
    await flush();
    expect(seqs(room)).toEqual(range(1, 200));
    for (const peer of fake.server.peers) peer.close('restart');
    await flush();
    for (let seq = 201; seq <= 1200; seq++) fake.messages.push(message(seq));
    await vi.advanceTimersByTimeAsync(50);
    expect(room.getSnapshot().status).toBe('joined');
    const held = seqs(room);
    // Contiguous: whatever was trimmed, what is shown has no hole (loadOlder pages back).
    expect(held).toEqual(range(held[0]!, 1200));
    expect(held.length).toBeLessThanOrEqual(200 + 100);
  });
});

describe('ChatRoom after dispose', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });

  it('refuses edit and remove instead of resolving as if they were done', async () => {
    const { fake, room } = await started();
    room.send('hi');
    await flush();
    const id = room.getSnapshot().messages.at(-1)!.id;
    const before = room.getSnapshot();
    room.dispose();
    // What the real server answers once the room was left.
    const refuse = () => ({ ok: false, error: { code: 'forbidden', message: 'join first' } });
    fake.replies.set('chat:edit', refuse);
    fake.replies.set('chat:delete', refuse);
    await expect(room.edit(id, 'changed')).rejects.toMatchObject({ kind: 'closed' });
    await expect(room.remove(id)).rejects.toMatchObject({ kind: 'closed' });
    await flush();
    expect(fake.sent('chat:edit')).toHaveLength(0);
    expect(fake.sent('chat:delete')).toHaveLength(0);
    expect(room.getSnapshot()).toBe(before);
  });
});

describe('ChatRoom loadOlder racing the live tail', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });

  it('leaves no hole when live messages trim the list while a page is in flight', async () => {
    const { fake, room } = await started({ maxMessages: 10, pageSize: 5 });
    for (let seq = 1; seq <= 25; seq++) fake.messages.push(message(seq));
    for (let seq = 1; seq <= 25; seq++) fake.emit('chat:message', message(seq));
    await flush();
    expect(seqs(room)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    fake.replies.set('chat:history', async (d) => {
      await answered;
      return {
        ok: true,
        room: d.room,
        messages: fake.messages.filter((m) => m.seq < Number(d.before)).slice(-5),
        nextCursor: String(Number(d.before) - 5),
      };
    });
    const loading = room.loadOlder();
    await flush();
    // Five more arrive meanwhile: 16..20 are trimmed.
    for (let seq = 26; seq <= 30; seq++) fake.emit('chat:message', message(seq));
    await flush();
    expect(seqs(room)[0]).toBe(21);
    answer();
    await loading;
    const held = seqs(room);
    expect(held).toEqual(Array.from({ length: held.length }, (_, i) => held[0]! + i));
    expect(held.at(-1)).toBe(30);
  });
});

describe('ChatRoom changes that arrive before their message', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });

  it('applies an edit and a deletion pushed ahead of the join ack whose page predates them', async () => {
    const { fake, room, connection } = setup();
    for (let seq = 1; seq <= 3; seq++) fake.messages.push(message(seq));
    fake.replies.set('chat:join', (d) => {
      // The page was read; then, before the ack goes out, another user edits m2 and deletes m3
      // (we are in the room's channel already, so both reach us first).
      const page = fake.messages.slice();
      fake.emit('chat:edited', message(2, { text: 'edited', editedAt: 9_000, version: 1 }));
      fake.emit('chat:deleted', { room: 'lobby', id: 'm3', deletedAt: 9_001 });
      return { ok: true, room: d.room, messages: page, nextCursor: null, members: [ME] };
    });
    connection.open();
    room.start();
    await flush();
    expect(room.getSnapshot().status).toBe('joined');
    expect(
      room
        .getSnapshot()
        .messages.toArray()
        .map((m) => [m.id, m.text]),
    ).toEqual([
      ['m1', 'text 1'],
      ['m2', 'edited'],
      ['m3', ''],
    ]);
    expect(room.getSnapshot().messages.at(2)?.deletedAt).toBe(9_001);
  });

  it('applies an edit pushed ahead of the loadOlder page that predates it', async () => {
    const { fake, room } = await started({ maxMessages: 5, pageSize: 5 });
    for (let seq = 1; seq <= 10; seq++) fake.messages.push(message(seq));
    for (let seq = 1; seq <= 10; seq++) fake.emit('chat:message', message(seq));
    await flush();
    expect(seqs(room)).toEqual([6, 7, 8, 9, 10]);
    fake.replies.set('chat:history', (d) => {
      const page = fake.messages.slice(0, 5);
      fake.emit('chat:edited', message(4, { text: 'edited', editedAt: 9_000, version: 1 }));
      return { ok: true, room: d.room, messages: page, nextCursor: null };
    });
    await room.loadOlder();
    expect(seqs(room)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(room.getSnapshot().messages.at(3)).toMatchObject({ id: 'm4', text: 'edited' });
  });
});

describe('ChatRoom under the server rate limit', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });

  const limited = {
    ok: false,
    error: { code: 'rate_limited', message: 'slow', retryAfterMs: 500 },
  };

  it('joins again once the limit allows (many rooms rejoining at once)', async () => {
    const { fake, room, connection } = setup();
    fake.messages.push(message(1));
    let refusals = 0;
    fake.replies.set('chat:join', () => {
      refusals += 1;
      fake.replies.delete('chat:join');
      return limited;
    });
    connection.open();
    room.start();
    await flush();
    expect(refusals).toBe(1);
    expect(room.getSnapshot().status).toBe('joining');
    await vi.advanceTimersByTimeAsync(500);
    expect(room.getSnapshot().status).toBe('joined');
    expect(seqs(room)).toEqual([1]);
    expect(fake.sent('chat:join')).toHaveLength(2);
    room.dispose();
    expect(room.timers).toBe(0);
  });

  it('leaves no hole when a catch-up page is refused: pages back from the gap instead', async () => {
    const { fake, room } = await started({ pageSize: 10 });
    for (let seq = 1; seq <= 10; seq++) fake.messages.push(message(seq));
    for (let seq = 1; seq <= 10; seq++) fake.emit('chat:message', message(seq));
    await flush();
    for (const peer of fake.server.peers) peer.close('restart');
    await flush();
    for (let seq = 11; seq <= 100; seq++) fake.messages.push(message(seq));
    fake.replies.set('chat:history', () => limited);
    await vi.advanceTimersByTimeAsync(50);
    expect(room.getSnapshot().status).toBe('joined');
    const held = seqs(room);
    expect(held).toEqual(Array.from({ length: held.length }, (_, i) => held[0]! + i));
    expect(held.at(-1)).toBe(100);
    expect(room.getSnapshot().hasOlder).toBe(true);
    fake.replies.delete('chat:history');
    await room.loadOlder();
    expect(seqs(room)[0]).toBe(held[0]! - 10);
  });
});

describe('ChatRoom: two views of one room on one connection', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });

  it('the first disposed does not leave under the other; the other shows its sends', async () => {
    const { fake, room, connection } = await started();
    const other = createChatRoom(connection, { room: 'lobby', scheduler: microtaskScheduler });
    open.push(other);
    other.start();
    await flush();
    expect(other.getSnapshot().status).toBe('joined');
    // The server does not echo a send to its own session: the other view hears it from us.
    room.send('hi');
    await flush();
    expect(other.getSnapshot().messages.toArray()).toEqual([
      expect.objectContaining({ text: 'hi', status: 'sent', own: true }),
    ]);
    room.dispose();
    await flush();
    expect(fake.sent('chat:leave')).toHaveLength(0);
    other.dispose();
    await flush();
    expect(fake.sent('chat:leave')).toHaveLength(1);
  });
});

describe('ChatRoom: a second view that is not in the room', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });

  it('does not keep the first from leaving', async () => {
    const { fake, room, connection } = await started();
    fake.replies.set('chat:join', () => ({
      ok: false,
      error: { code: 'forbidden', message: 'not allowed' },
    }));
    const other = createChatRoom(connection, { room: 'lobby', scheduler: microtaskScheduler });
    open.push(other);
    other.start();
    await flush();
    expect(other.getSnapshot().status).toBe('error');
    room.dispose();
    await flush();
    expect(fake.sent('chat:leave')).toHaveLength(1);
  });
});

describe('ChatRoom sends waiting for a rejoin that never comes', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });

  it('fail when the connection closes instead of staying pending', async () => {
    const { fake, room, connection } = await started();
    for (const peer of fake.server.peers) peer.close('restart');
    await flush();
    // The replayed send comes back "join first"; the rejoin is never answered.
    fake.replies.set('chat:send', () => ({
      ok: false,
      error: { code: 'forbidden', message: 'join first' },
    }));
    fake.replies.set('chat:join', () => undefined);
    const cid = room.send('queued');
    await vi.advanceTimersByTimeAsync(50);
    expect(connection.state).toBe('connected');
    expect(fake.sent('chat:send')).toHaveLength(1);
    connection.close();
    await flush();
    expect(room.getSnapshot().messages.at(-1)).toMatchObject({ id: cid, status: 'failed' });
  });
});

describe('ChatRoom options that are not numbers (NaN from a parsed setting)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });

  it('use the defaults instead of failing the join, expiring typing at once or never trimming', async () => {
    const { fake, room, connection } = setup({
      pageSize: NaN,
      typingTimeout: NaN,
      maxMessages: NaN,
    });
    fake.messages.push(message(1));
    connection.open();
    room.start();
    await flush();
    expect(room.getSnapshot().status).toBe('joined');
    expect(fake.sent('chat:join')[0]?.data).toMatchObject({ limit: 50 });
    fake.emit('chat:typing', { room: 'lobby', user: OTHER, typing: true });
    await vi.advanceTimersByTimeAsync(100);
    expect(room.getSnapshot().typing.map((u) => u.id)).toEqual(['other']);
    await vi.advanceTimersByTimeAsync(6000);
    expect(room.getSnapshot().typing).toEqual([]);
    expect(room.getSnapshot().hasOlder).toBe(false);
    fake.emit('chat:message', message(2));
    await flush();
    expect(seqs(room)).toEqual([1, 2]);
    expect(room.getSnapshot().hasOlder).toBe(false);
  });
});
