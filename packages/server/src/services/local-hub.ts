import type { EmitOptions, Hub, HubSession } from './hub.js';
import type { Session } from './session.js';

/** Receives what the hub sends to one session. */
export type Deliver = (event: string, payload: unknown) => void;

/**
 * An in-process {@link Hub}: sessions are callbacks, channels are sets. It
 * lets the chat and notification services run without Socket.IO, e.g. in a
 * browser behind an in-memory transport (Storybook) or in unit tests.
 *
 * @example
 * const hub = new LocalHub();
 * const chat = new ChatService({ store: new MemoryStore(), hub });
 * const alice = createSession('s1', { id: 'alice' });
 * hub.add(alice, (event, payload) => console.log(event, payload));
 * await chat.join(alice, { room: 'lobby' });
 */
export class LocalHub implements Hub {
  readonly #sessions = new Map<string, { session: Session; deliver: Deliver }>();
  readonly #channels = new Map<string, Set<string>>();

  /** Connects a session; it joins its user's channel like a Socket.IO session does. */
  add(session: Session, deliver: Deliver): void {
    this.#sessions.set(session.id, { session, deliver });
    this.join(session.id, `wk:user:${session.user.id}`);
  }

  /** Disconnects a session and takes it out of every channel. */
  remove(sessionId: string): void {
    this.#sessions.delete(sessionId);
    for (const [channel, members] of this.#channels) {
      members.delete(sessionId);
      if (members.size === 0) this.#channels.delete(channel);
    }
  }

  join(sessionId: string, channel: string): void {
    if (!this.#sessions.has(sessionId)) return;
    let members = this.#channels.get(channel);
    if (!members) {
      members = new Set();
      this.#channels.set(channel, members);
    }
    members.add(sessionId);
  }

  leave(sessionId: string, channel: string): void {
    const members = this.#channels.get(channel);
    members?.delete(sessionId);
    if (members?.size === 0) this.#channels.delete(channel);
  }

  emit(channel: string | null, event: string, payload: unknown, options: EmitOptions = {}): void {
    const targets =
      channel === null ? [...this.#sessions.keys()] : [...(this.#channels.get(channel) ?? [])];
    const excluded = options.exceptChannel ? this.#channels.get(options.exceptChannel) : undefined;
    for (const id of targets) {
      if (id === options.exceptSession || excluded?.has(id)) continue;
      // Each receiver gets its own copy, as over a real wire.
      this.#sessions.get(id)?.deliver(event, structuredClone(payload));
    }
  }

  async sessions(channel: string | null): Promise<HubSession[]> {
    const ids =
      channel === null ? [...this.#sessions.keys()] : [...(this.#channels.get(channel) ?? [])];
    return ids.flatMap((sessionId) => {
      const entry = this.#sessions.get(sessionId);
      return entry ? [{ sessionId, user: entry.session.ref }] : [];
    });
  }
}
