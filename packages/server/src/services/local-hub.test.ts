import type { ChatMessage, NotifyNewEvent } from '@wirekit/core/protocol';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory.js';
import { ChatService } from './chat.js';
import { LocalHub } from './local-hub.js';
import { NotificationService } from './notifications.js';
import { createSession } from './session.js';

function setup() {
  const hub = new LocalHub();
  const store = new MemoryStore();
  const chat = new ChatService({ store, hub });
  const notifications = new NotificationService({ store, hub });
  const inbox = new Map<string, [string, unknown][]>();
  const connect = (sessionId: string, userId: string) => {
    const session = createSession(sessionId, { id: userId });
    const events: [string, unknown][] = [];
    inbox.set(sessionId, events);
    hub.add(session, (event, payload) => events.push([event, payload]));
    return session;
  };
  return { hub, chat, notifications, inbox, connect };
}

describe('services over LocalHub (no Socket.IO)', () => {
  it('chats: the message reaches others, not the sending session', async () => {
    const { chat, inbox, connect } = setup();
    const alice = connect('a1', 'alice');
    const bob = connect('b1', 'bob');
    await chat.join(alice, { room: 'lobby' });
    await chat.join(bob, { room: 'lobby' });
    const ack = await chat.send(alice, { room: 'lobby', text: 'hi' }, 'c1');
    if (!ack.ok) throw new Error(ack.error.message);
    expect(inbox.get('b1')?.filter(([e]) => e === 'chat:message')).toEqual([
      ['chat:message', ack.message],
    ]);
    expect(inbox.get('a1')?.some(([e]) => e === 'chat:message')).toBe(false);
    const message = inbox.get('b1')?.find(([e]) => e === 'chat:message')?.[1] as ChatMessage;
    expect(message).not.toBe(ack.message);
  });

  it('notifies one user on all sessions, and all users', async () => {
    const { notifications, inbox, connect, hub } = setup();
    connect('a1', 'alice');
    connect('a2', 'alice');
    connect('b1', 'bob');
    await notifications.notify('alice', { title: 'hi' });
    const news = (id: string) => inbox.get(id)?.filter(([e]) => e === 'notify:new') ?? [];
    expect(news('a1')).toHaveLength(1);
    expect(news('a2')).toHaveLength(1);
    expect(news('b1')).toHaveLength(0);
    await notifications.notify('all', { title: 'all' });
    expect((news('b1')[0]?.[1] as NotifyNewEvent).unread).toBe(1);
    expect((news('a1')[1]?.[1] as NotifyNewEvent).unread).toBe(2);
    hub.remove('b1');
    expect((await hub.sessions(null)).map((s) => s.sessionId)).toEqual(['a1', 'a2']);
  });
});
