import type { ChatPresenceEvent } from '@wirekit/core/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EmitOptions, HubSession } from './hub.js';
import { LocalHub } from './local-hub.js';
import { PresenceBatcher, PresenceClosedError, type PresenceSnapshot } from './presence.js';
import { createSession, type Session } from './session.js';

/** A LocalHub that records presence broadcasts and counts listings. */
class RecordingHub extends LocalHub {
  readonly presence: ChatPresenceEvent[] = [];
  listings = 0;
  /** When set, `sessions()` waits for this before answering. */
  gate: Promise<void> | undefined;
  failNext: Error | undefined;
  override emit(
    channel: string | null,
    event: string,
    payload: unknown,
    options: EmitOptions = {},
  ): void {
    if (event === 'chat:presence') this.presence.push(payload as ChatPresenceEvent);
    super.emit(channel, event, payload, options);
  }
  override async sessions(channel: string | null): Promise<HubSession[]> {
    this.listings += 1;
    await this.gate;
    const error = this.failNext;
    this.failNext = undefined;
    if (error) throw error;
    return super.sessions(channel);
  }
}

const view = (e: ChatPresenceEvent | PresenceSnapshot | undefined) => {
  if (!e || !('count' in e)) return e;
  const ids = e.members?.map((m) => m.id).sort();
  return ids ? `${e.count}:${ids.join(',')}` : `${e.count}`;
};

describe('PresenceBatcher', () => {
  let hub: RecordingHub;
  let presence: PresenceBatcher;
  let n = 0;

  /** A session in the hub (and the room's channel), its join recorded. */
  const join = (userId: string, room = 'lobby'): Session => {
    const session = createSession(`s${++n}`, { id: userId });
    hub.add(session, () => {});
    hub.join(session.id, `wk:room:${room}`);
    presence.joined(session.id, session.ref, room);
    return session;
  };
  const leave = (session: Session, room = 'lobby') => {
    hub.leave(session.id, `wk:room:${room}`);
    presence.left(session.id, session.ref, room);
  };

  beforeEach(() => {
    vi.useFakeTimers();
    hub = new RecordingHub();
    presence = new PresenceBatcher({ hub, windowMs: 50, listLimit: 5 });
  });
  afterEach(() => {
    presence.close();
    vi.useRealTimers();
  });

  it('coalesces the joins of one window into one broadcast; acks share one listing at once', async () => {
    const snapshots: PresenceSnapshot[] = [];
    for (const id of ['a', 'b', 'c', 'd']) {
      join(id);
      void presence.snapshot('lobby').then((s) => snapshots.push(s));
    }
    // The acks do not wait for the window: one listing on the next turn serves all four.
    await vi.advanceTimersByTimeAsync(0);
    expect(hub.listings).toBe(1);
    expect(snapshots.map(view)).toEqual(['4:a,b,c,d', '4:a,b,c,d', '4:a,b,c,d', '4:a,b,c,d']);
    await vi.advanceTimersByTimeAsync(49);
    expect(hub.presence).toEqual([]);
    // The window ends at 50 ms; its listing runs a turn later (Node's timers are ≥ 1 ms).
    await vi.advanceTimersByTimeAsync(2);
    expect(hub.listings).toBe(2);
    expect(hub.presence.map(view)).toEqual(['4:a,b,c,d']);
    expect(presence.broadcasts).toBe(1);
    expect(presence.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('answers joins one after another without waiting for the window', async () => {
    for (const id of ['a', 'b', 'c']) {
      join(id);
      const snapshot = presence.snapshot('lobby');
      await vi.advanceTimersByTimeAsync(0);
      expect(await snapshot).toMatchObject({ count: id === 'a' ? 1 : id === 'b' ? 2 : 3 });
    }
    expect(hub.presence).toEqual([]); // the window (50 ms) has not ended yet
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.presence.map(view)).toEqual(['3:a,b,c']);
  });

  it('sends one update per window, not per change, in a long storm', async () => {
    for (let i = 0; i < 200; i++) {
      join(`u${i}`);
      await vi.advanceTimersByTimeAsync(1); // 200 joins over 200 ms
    }
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.presence.length).toBeGreaterThanOrEqual(4);
    expect(hub.presence.length).toBeLessThanOrEqual(5);
    expect(hub.listings).toBe(hub.presence.length);
    // Over the list limit: counts only.
    expect(hub.presence.at(-1)).toEqual({ room: 'lobby', count: 200 });
  });

  it('announces nothing for a second tab joining or leaving', async () => {
    join('a');
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.presence.map(view)).toEqual(['1:a']);
    const secondTab = join('a');
    await vi.advanceTimersByTimeAsync(51);
    leave(secondTab);
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.presence.map(view)).toEqual(['1:a']);
    expect(hub.listings).toBe(3); // each window still listed the room (cheap) but sent nothing
  });

  it('announces a tab that joined and left within one window: someone may have listed it', async () => {
    join('a');
    await vi.advanceTimersByTimeAsync(51);
    const brief = join('b');
    const ackOfC = (join('c'), presence.snapshot('lobby'));
    await vi.advanceTimersByTimeAsync(0);
    expect(view(await ackOfC)).toBe('3:a,b,c'); // c's ack shows b
    leave(brief);
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.presence.map(view)).toEqual(['1:a', '2:a,c']);
  });

  it('corrects an ack that saw the room in between, even when the window nets to nothing', async () => {
    join('a');
    const b1 = join('b');
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.presence.map(view)).toEqual(['2:a,b']);
    // b reconnects (leave, then a new session) while a's second tab joins in between.
    leave(b1);
    join('a');
    const ack = presence.snapshot('lobby');
    await vi.advanceTimersByTimeAsync(0);
    expect(view(await ack)).toBe('1:a');
    join('b');
    await vi.advanceTimersByTimeAsync(51);
    // Nobody came or went for good, but that ack showed b gone: the room hears it again.
    expect(hub.presence.map(view)).toEqual(['2:a,b', '2:a,b']);
  });

  it('announces a leave once the user’s last session is gone', async () => {
    const a1 = join('a');
    const a2 = join('a');
    join('b');
    await vi.advanceTimersByTimeAsync(51);
    leave(a1);
    await vi.advanceTimersByTimeAsync(51);
    leave(a2);
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.presence.map(view)).toEqual(['2:a,b', '1:b']);
  });

  it('keeps rooms apart', async () => {
    join('a', 'one');
    join('b', 'two');
    join('c', 'two');
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.presence).toEqual([
      { room: 'one', count: 1, members: [{ id: 'a' }] },
      { room: 'two', count: 2, members: [{ id: 'b' }, { id: 'c' }] },
    ]);
  });

  it('lists counts only above the list limit, and the full list again below it', async () => {
    const sessions = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => join(id));
    const over = presence.snapshot('lobby');
    await vi.advanceTimersByTimeAsync(51);
    expect(await over).toEqual({ count: 6, members: undefined });
    leave(sessions[0] as Session);
    const under = presence.snapshot('lobby');
    await vi.advanceTimersByTimeAsync(51);
    expect(view(await under)).toBe('5:b,c,d,e,f');
    expect(hub.presence.map(view)).toEqual(['6', '5:b,c,d,e,f']);
  });

  it('holds changes made during a running flush for the next window, in order', async () => {
    let open!: () => void;
    hub.gate = new Promise((resolve) => (open = resolve));
    join('a');
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.listings).toBe(1); // listing, not answered yet
    join('b');
    const ack = presence.snapshot('lobby');
    await vi.advanceTimersByTimeAsync(200);
    expect(hub.listings).toBe(1); // no second listing overtakes the first
    hub.gate = undefined;
    open();
    await vi.advanceTimersByTimeAsync(1);
    // The first listing ran late and already saw b (snapshots, latest wins). b's window ended
    // meanwhile: its listing followed the first one, and b's ack shared it.
    expect(hub.presence.map(view)).toEqual(['2:a,b', '2:a,b']);
    expect(view(await ack)).toBe('2:a,b');
    expect(hub.listings).toBe(2);
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.listings).toBe(2);
    expect(presence.pending).toBe(0);
  });

  it('treats a session on another process as a possible change', async () => {
    hub = new (class extends RecordingHub {
      override async sessions(channel: string | null): Promise<HubSession[]> {
        const local = await super.sessions(channel);
        return [...local, { sessionId: 'elsewhere', user: { id: 'a' }, remote: true }];
      }
    })();
    presence.close();
    presence = new PresenceBatcher({ hub, windowMs: 50 });
    join('a'); // a's other tab on another process may have joined in this window too
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.presence.map(view)).toEqual(['1:a']);
  });

  it('fails the waiting joins when the hub cannot list the room, and recovers', async () => {
    const onError = vi.fn();
    presence.close();
    presence = new PresenceBatcher({ hub, windowMs: 50, onError });
    hub.failNext = new Error('adapter timeout');
    join('a');
    const failed = presence.snapshot('lobby');
    const caught = failed.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    expect(await caught).toMatchObject({ message: 'adapter timeout' });
    expect(onError).toHaveBeenCalledWith(expect.any(Error), 'lobby');
    expect(hub.presence).toEqual([]);
    hub.failNext = new Error('adapter timeout');
    await vi.advanceTimersByTimeAsync(51); // the window's listing fails too: nothing sent yet
    expect(hub.presence).toEqual([]);
    expect(presence.pending).toBe(1); // its changes wait for the next window
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.presence.map(view)).toEqual(['1:a']);
    join('b');
    await vi.advanceTimersByTimeAsync(51);
    expect(hub.presence.map(view)).toEqual(['1:a', '2:a,b']);
    expect(presence.pending).toBe(0);
  });

  it('clears its timers on close and fails the joins still waiting', async () => {
    join('a');
    join('b', 'other');
    const waiting = presence.snapshot('lobby').catch((error: unknown) => error);
    expect(vi.getTimerCount()).toBe(3); // two windows and one listing
    presence.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(presence.pending).toBe(0);
    expect(await waiting).toBeInstanceOf(PresenceClosedError);
    join('c'); // after close: ignored, no timer
    expect(vi.getTimerCount()).toBe(0);
    await expect(presence.snapshot('lobby')).rejects.toBeInstanceOf(PresenceClosedError);
    await vi.advanceTimersByTimeAsync(100);
    expect(hub.presence).toEqual([]);
  });

  it('fails the joins of a flush that was listing when it closed', async () => {
    let open!: () => void;
    hub.gate = new Promise((resolve) => (open = resolve));
    join('a');
    const waiting = presence.snapshot('lobby').catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    expect(hub.listings).toBe(1);
    presence.close();
    open();
    expect(await waiting).toBeInstanceOf(PresenceClosedError);
    expect(hub.presence).toEqual([]);
  });
});
