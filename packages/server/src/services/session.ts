import type { UserRef } from '@wirekit/core/protocol';

/**
 * The user an `authenticate` hook returns. `id` is the only required field;
 * everything else stays on the server except `name`, which others see.
 */
export interface WirekitUser {
  /** Stable user id; never taken from a payload. */
  id: string;
  /** Display name shown to others. */
  name?: string;
  /**
   * When the credentials expire (ms since epoch). The server then emits
   * `wk:error { code: 'unauthorized' }` and disconnects the session, so the
   * client reconnects with a refreshed token.
   */
  expiresAt?: number;
}

/** One authenticated connection, transport-independent. */
export interface Session<U extends WirekitUser = WirekitUser> {
  readonly id: string;
  readonly user: U;
  /** What others see of the user. */
  readonly ref: UserRef;
  /** Chat rooms this session has joined. */
  readonly rooms: Set<string>;
  /** Per room: when a `typing: true` was last broadcast (for the throttle). */
  readonly typingSentAt: Map<string, number>;
}

/** Builds a session for an authenticated user. */
export function createSession<U extends WirekitUser>(id: string, user: U): Session<U> {
  const ref: UserRef =
    typeof user.name === 'string' ? { id: user.id, name: user.name } : { id: user.id };
  return { id, user, ref, rooms: new Set(), typingSentAt: new Map() };
}
