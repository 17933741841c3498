import type { UserRef } from '@wirekit/core/protocol';

/** Options of {@link Hub.emit}. */
export interface EmitOptions {
  /** Do not deliver to this session. */
  exceptSession?: string;
  /** Do not deliver to sessions in this channel (e.g. all of the sender's own tabs). */
  exceptChannel?: string;
  /** May be dropped if the session is not ready (typing indicators). */
  volatile?: boolean;
}

/** A connected session as the hub reports it. */
export interface HubSession {
  sessionId: string;
  user: UserRef;
  /** The session lives on another process (cluster adapters). */
  remote?: boolean;
}

/**
 * The only thing services know about the transport: named channels of
 * sessions, cluster-wide. The Socket.IO binding implements it with rooms
 * (fan-out across processes comes from the Socket.IO adapter); an in-memory
 * transport can implement it for Storybook or tests.
 */
export interface Hub {
  /** Puts a session in a channel. */
  join(sessionId: string, channel: string): void | Promise<void>;
  /** Takes a session out of a channel. */
  leave(sessionId: string, channel: string): void | Promise<void>;
  /** Sends an event to every session in a channel (`null`: every session). */
  emit(channel: string | null, event: string, payload: unknown, options?: EmitOptions): void;
  /** The sessions in a channel (`null`: all sessions), across all processes. */
  sessions(channel: string | null): Promise<HubSession[]>;
}

/** Channel of a chat room. */
export const roomChannel = (room: string): string => `wk:room:${room}`;
/** Channel of every session of one user. */
export const userChannel = (userId: string): string => `wk:user:${userId}`;
