import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory.js';
import type { HubSession } from './hub.js';
import { LocalHub } from './local-hub.js';
import { NotificationService } from './notifications.js';
import { createSession } from './session.js';

/**
 * A LocalHub whose listing of all sessions answers late, as `fetchSockets()` across a cluster
 * does: it lists the sessions when asked and hands them over when `release()` is called.
 */
class SlowHub extends LocalHub {
  #release: (() => void) | undefined;
  #asked: (() => void) | undefined;
  readonly asked = new Promise<void>((resolve) => (this.#asked = resolve));

  release(): void {
    this.#release?.();
  }

  override async sessions(channel: string | null): Promise<HubSession[]> {
    const listed = await super.sessions(channel);
    if (channel !== null) return listed;
    const gate = new Promise<void>((resolve) => (this.#release = resolve));
    this.#asked?.();
    await gate;
    return listed;
  }
}

describe('NotificationService', () => {
  it("notify('all') reaches a user who connects and lists while connected users are listed", async () => {
    const hub = new SlowHub();
    const store = new MemoryStore();
    const notifications = new NotificationService({ store, hub });
    const alice = createSession('a1', { id: 'alice' });
    hub.add(alice, () => {});

    const sending = notifications.notify('all', { title: 'Maintenance at 22:00' });
    await hub.asked;
    // Bob connects after the listing started and reads his feed before it answers.
    const bob = createSession('b1', { id: 'bob' });
    const bobEvents: string[] = [];
    hub.add(bob, (event) => bobEvents.push(event));
    const listed = await notifications.list(bob, {});
    hub.release();
    await sending;

    const got = listed.ok ? listed.items.length : 0;
    const pushed = bobEvents.filter((event) => event === 'notify:new').length;
    expect(got + pushed).toBe(1);
    expect((await store.listNotifications('bob', { limit: 10 })).items).toMatchObject([
      { title: 'Maintenance at 22:00', read: false },
    ]);
    expect((await store.listNotifications('alice', { limit: 10 })).items).toHaveLength(1);
  });

  it("notify('all') resolves once the broadcast is kept, even if the live push fails", async () => {
    // A caller that saw a rejection would send it again: every user would get it twice.
    class DownHub extends LocalHub {
      override sessions(): Promise<HubSession[]> {
        return Promise.reject(new Error('timeout reached: only 1 responses received out of 2'));
      }
    }
    const store = new MemoryStore();
    const errors: unknown[] = [];
    const notifications = new NotificationService({
      store,
      hub: new DownHub(),
      onError: (error) => errors.push(error),
    });
    const sent = await notifications.notify('all', { title: 'Maintenance at 22:00' });
    expect(errors).toHaveLength(1);
    const bob = createSession('b1', { id: 'bob' });
    expect(await notifications.list(bob, {})).toMatchObject({ ok: true, items: [{ id: sent.id }] });
  });

  it("notify('all') with broadcastTtlMs: 0 still reaches the users connected now", async () => {
    // 0 means "not for users who connect later"; the clock moves on while it is stored.
    let now = 1_000;
    const hub = new LocalHub();
    const store = new MemoryStore();
    const notifications = new NotificationService({
      store,
      hub,
      broadcastTtlMs: 0,
      now: () => (now += 1),
    });
    const alice = createSession('a1', { id: 'alice' });
    const events: string[] = [];
    hub.add(alice, (event) => events.push(event));
    await notifications.notify('all', { title: 'Deploying now' });
    expect(events).toEqual(['notify:new']);
    // A user who connects afterwards does not get it.
    const bob = createSession('b1', { id: 'bob' });
    hub.add(bob, () => {});
    expect(await notifications.list(bob, {})).toMatchObject({ ok: true, items: [] });
  });
});
