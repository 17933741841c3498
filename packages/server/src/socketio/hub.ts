import type { UserRef } from '@wirekit/core/protocol';
import type { Namespace } from 'socket.io';
import type { EmitOptions, Hub, HubSession } from '../services/hub.js';

/** Key under `socket.data` where the binding keeps the session's public user. */
export const SOCKET_DATA_KEY = 'wirekit';

function userOf(data: unknown): UserRef | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const entry: unknown = (data as Record<string, unknown>)[SOCKET_DATA_KEY];
  if (typeof entry !== 'object' || entry === null) return undefined;
  const user: unknown = (entry as Record<string, unknown>).user;
  if (typeof user !== 'object' || user === null) return undefined;
  const { id, name } = user as Record<string, unknown>;
  if (typeof id !== 'string') return undefined;
  return typeof name === 'string' ? { id, name } : { id };
}

/**
 * {@link Hub} over a Socket.IO namespace: channels are Socket.IO rooms, and
 * emits and `sessions()` go through the namespace's adapter, so with the
 * Redis adapter they span every process.
 */
export class SocketIoHub implements Hub {
  readonly #nsp: Namespace;

  constructor(nsp: Namespace) {
    this.#nsp = nsp;
  }

  join(sessionId: string, channel: string): void | Promise<void> {
    return this.#nsp.sockets.get(sessionId)?.join(channel);
  }

  leave(sessionId: string, channel: string): void | Promise<void> {
    return this.#nsp.sockets.get(sessionId)?.leave(channel);
  }

  emit(channel: string | null, event: string, payload: unknown, options: EmitOptions = {}): void {
    let target = channel === null ? this.#nsp.except([]) : this.#nsp.to(channel);
    const except: string[] = [];
    if (options.exceptSession !== undefined) except.push(options.exceptSession);
    if (options.exceptChannel !== undefined) except.push(options.exceptChannel);
    if (except.length > 0) target = target.except(except);
    if (options.volatile) target = target.volatile;
    target.emit(event, payload);
  }

  async sessions(channel: string | null): Promise<HubSession[]> {
    const sockets = await (channel === null
      ? this.#nsp.fetchSockets()
      : this.#nsp.in(channel).fetchSockets());
    const out: HubSession[] = [];
    for (const socket of sockets) {
      const user = userOf(socket.data);
      if (!user) continue;
      const remote = !this.#nsp.sockets.has(socket.id);
      out.push(remote ? { sessionId: socket.id, user, remote } : { sessionId: socket.id, user });
    }
    return out;
  }
}
