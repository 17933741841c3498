import type { ChatTypingEvent } from '@wirekit/core/protocol';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { MemoryStore } from '../store/memory.js';
import { ChatService } from './chat.js';
import type { EmitOptions } from './hub.js';
import { LocalHub } from './local-hub.js';
import { createSession, type Session } from './session.js';

/** A LocalHub that also records every emit with its options. */
class RecordingHub extends LocalHub {
  readonly sent: {
    channel: string | null;
    event: string;
    payload: unknown;
    options: EmitOptions;
  }[] = [];
  override emit(
    channel: string | null,
    event: string,
    payload: unknown,
    options: EmitOptions = {},
  ): void {
    this.sent.push({ channel, event, payload, options });
    super.emit(channel, event, payload, options);
  }
}

describe('ChatService (transport-independent)', () => {
  let now: number;
  let hub: RecordingHub;
  let bobInbox: [string, unknown][];
  let chat: ChatService;
  let alice: Session;

  beforeEach(async () => {
    now = 1_000;
    hub = new RecordingHub();
    chat = new ChatService({
      store: new MemoryStore(),
      hub,
      now: () => now,
      typingThrottleMs: 1000,
    });
    alice = createSession('s1', { id: 'alice', name: 'Alice' });
    hub.add(alice, () => {});
    const bob = createSession('s2', { id: 'bob' });
    bobInbox = [];
    hub.add(bob, (event, payload) => bobInbox.push([event, payload]));
    await chat.join(alice, { room: 'lobby' });
    await chat.join(bob, { room: 'lobby' });
    hub.sent.length = 0;
  });
  afterEach(() => {
    chat.close();
  });

  const typingEvents = () =>
    hub.sent
      .filter((s) => s.event === 'chat:typing')
      .map((s) => (s.payload as ChatTypingEvent).typing);

  it('throttles typing: true to one broadcast per window, volatile, not to the sender', () => {
    expect(chat.typing(alice, { room: 'lobby', typing: true }).ok).toBe(true);
    now += 500;
    chat.typing(alice, { room: 'lobby', typing: true });
    now += 499;
    chat.typing(alice, { room: 'lobby', typing: true });
    expect(typingEvents()).toEqual([true]);
    now += 1;
    chat.typing(alice, { room: 'lobby', typing: true });
    expect(typingEvents()).toEqual([true, true]);
    expect(hub.sent[0]?.options).toEqual({ exceptChannel: 'wk:user:alice', volatile: true });
    expect(bobInbox.filter(([event]) => event === 'chat:typing')).toHaveLength(2);
  });

  it('sends typing: false only after a true, at once', () => {
    chat.typing(alice, { room: 'lobby', typing: false });
    expect(typingEvents()).toEqual([]);
    chat.typing(alice, { room: 'lobby', typing: true });
    chat.typing(alice, { room: 'lobby', typing: false });
    chat.typing(alice, { room: 'lobby', typing: false });
    expect(typingEvents()).toEqual([true, false]);
  });

  it('ends typing when the user leaves', async () => {
    chat.typing(alice, { room: 'lobby', typing: true });
    await chat.leave(alice, { room: 'lobby' });
    expect(typingEvents()).toEqual([true, false]);
    await vi.waitFor(() =>
      expect(hub.sent.at(-1)).toMatchObject({
        event: 'chat:presence',
        payload: { room: 'lobby', count: 1, members: [{ id: 'bob' }] },
      }),
    );
  });

  it('acks a join without waiting for the presence window; close clears the window', async () => {
    const slow = new ChatService({ store: new MemoryStore(), hub, presenceBatchMs: 60_000 });
    const carol = createSession('s9', { id: 'carol' });
    hub.add(carol, () => {});
    const join = await slow.join(carol, { room: 'lobby' });
    expect(join).toMatchObject({ ok: true, memberCount: 3 });
    expect(slow.presence.pending).toBe(1); // the 60 s broadcast window
    slow.close();
    expect(slow.presence.pending).toBe(0);
    const dave = createSession('s10', { id: 'dave' });
    hub.add(dave, () => {});
    expect(await slow.join(dave, { room: 'lobby' })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });

  it('refuses typing in a room not joined', () => {
    expect(chat.typing(alice, { room: 'elsewhere', typing: true })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('answers a resend with the message as it is now, not as first stored', async () => {
    // The first ack was lost; meanwhile the message was edited (from another tab) and deleted.
    const first = await chat.send(alice, { room: 'lobby', text: 'oops' }, 'c1');
    if (!first.ok) throw new Error('send failed');
    const { id } = first.message;
    expect((await chat.edit(alice, { room: 'lobby', id, text: 'fixed' })).ok).toBe(true);
    const edited = await chat.send(alice, { room: 'lobby', text: 'oops' }, 'c1');
    expect(edited).toMatchObject({
      ok: true,
      duplicate: true,
      message: { id, text: 'fixed', version: 1 },
    });
    expect((await chat.delete(alice, { room: 'lobby', id })).ok).toBe(true);
    const deleted = await chat.send(alice, { room: 'lobby', text: 'oops' }, 'c1');
    expect(deleted).toMatchObject({
      ok: true,
      duplicate: true,
      message: { id, text: '', deletedAt: now, version: 2 },
    });
  });

  it('acks a join with a revision from before its page, so a change made meanwhile is caught up', async () => {
    const store = new MemoryStore();
    const racing = new ChatService({ store, hub, now: () => now });
    onTestFinished(() => racing.close());
    const bob = createSession('s7', { id: 'bob' });
    const carol = createSession('s8', { id: 'carol' });
    hub.add(bob, () => {});
    hub.add(carol, () => {});
    await racing.join(bob, { room: 'r' });
    const sent = await racing.send(bob, { room: 'r', text: 'first' });
    if (!sent.ok) throw new Error('send failed');
    // Bob edits his message right after Carol's join read the page, before it read anything else.
    const history = store.history.bind(store);
    store.history = async (...args) => {
      const page = await history(...args);
      store.history = history;
      await racing.edit(bob, { room: 'r', id: sent.message.id, text: 'second' });
      return page;
    };
    const join = await racing.join(carol, { room: 'r' });
    if (!join.ok) throw new Error('join failed');
    expect(join.messages.map((m) => m.text)).toEqual(['first']);
    // Carol missed the edit's broadcast (it came before her ack); her next rejoin asks from rev.
    const changes = await racing.changes(carol, { room: 'r', since: join.rev ?? 0 });
    expect(changes).toMatchObject({ ok: true, messages: [{ text: 'second', version: 1 }] });
  });

  it('bounds the rooms of a session by default (1000), so joins cannot grow memory without end', async () => {
    const store = new MemoryStore();
    const bounded = new ChatService({ store, hub, presenceBatchMs: 60_000 });
    onTestFinished(() => bounded.close());
    const mallory = createSession('s66', { id: 'mallory' });
    hub.add(mallory, () => {});
    for (let i = 0; i < 1000; i++) {
      expect((await bounded.join(mallory, { room: `r${i}`, limit: 1 })).ok).toBe(true);
    }
    expect(await bounded.join(mallory, { room: 'one-more' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(mallory.rooms.size).toBe(1000);
  });

  it('does not put a session back in a room it left while its join was still running', async () => {
    // Over Socket.IO this happens when the join outlives eventTimeoutMs: the next events go ahead.
    let allow = () => {};
    const gate = new Promise<boolean>((resolve) => (allow = () => resolve(true)));
    const slow = new ChatService({ store: new MemoryStore(), hub, authorizeRoom: () => gate });
    onTestFinished(() => slow.close());
    const carol = createSession('s5', { id: 'carol' });
    const inbox: string[] = [];
    hub.add(carol, (event) => inbox.push(event));
    const joining = slow.join(carol, { room: 'late' });
    expect(await slow.leave(carol, { room: 'late' })).toMatchObject({ ok: true });
    allow();
    expect(await joining).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(carol.rooms.has('late')).toBe(false);
    expect(await hub.sessions('wk:room:late')).toEqual([]);
  });

  it('lets a moderator delete others’ messages', async () => {
    const mod = new ChatService({
      store: new MemoryStore(),
      hub,
      canModerate: (user) => user.id === 'mod',
    });
    const bob = createSession('s4', { id: 'bob' });
    const moderator = createSession('s3', { id: 'mod' });
    hub.add(bob, () => {});
    hub.add(moderator, () => {});
    await mod.join(bob, { room: 'r' });
    await mod.join(moderator, { room: 'r' });
    const sent = await mod.send(bob, { room: 'r', text: 'spam' });
    mod.close();
    if (!sent.ok) throw new Error('send failed');
    expect((await mod.delete(moderator, { room: 'r', id: sent.message.id })).ok).toBe(true);
  });
});
