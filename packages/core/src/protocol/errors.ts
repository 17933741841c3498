/**
 * Typed error codes of an ack or a `wk:error` event.
 *
 * - `invalid`: the payload failed validation.
 * - `unauthorized`: no, a forged or an expired token; the client must re-authenticate.
 * - `forbidden`: authenticated but not allowed (e.g. `authorizeRoom` said no, not your message).
 * - `not_found`: the message, room membership or notification does not exist.
 * - `rate_limited`: the per-socket token bucket is empty; see `retryAfterMs`.
 * - `too_large`: the event or the text is above its size limit.
 * - `unavailable`: the server is at its connection limit or a dependency is down; retry later.
 * - `internal`: a bug or a store failure on the server.
 */
export type ErrorCode =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  | 'too_large'
  | 'unavailable'
  | 'internal';

/** All error codes, for exhaustive checks and validators. */
export const ERROR_CODES: readonly ErrorCode[] = [
  'invalid',
  'unauthorized',
  'forbidden',
  'not_found',
  'rate_limited',
  'too_large',
  'unavailable',
  'internal',
];

/** An error as it travels on the wire. */
export interface WireError {
  code: ErrorCode;
  /** Human-readable, English; not meant for end users. */
  message: string;
  /** With `rate_limited`: when a retry can succeed. */
  retryAfterMs?: number;
  /** With `invalid`: which fields failed, as dotted paths. */
  issues?: { path: string; message: string }[];
}

/** A successful ack: `{ ok: true }` plus the event's result fields. */
export type AckOk<R extends object = Record<never, never>> = { ok: true } & R;

/** A failed ack. */
export interface AckError {
  ok: false;
  error: WireError;
}

/**
 * The reply to every client event: a discriminated union on `ok`.
 *
 * @example
 * const ack: Ack<ChatSendResult> = await socket.emitWithAck('chat:send', data, { cid });
 * if (ack.ok) show(ack.message); else if (ack.error.code === 'rate_limited') wait(ack.error.retryAfterMs);
 */
export type Ack<R extends object = Record<never, never>> = AckOk<R> | AckError;

/** Builds a successful ack. */
export function ackOk<R extends object>(result: R): AckOk<R> {
  return { ok: true, ...result };
}

/** Builds a failed ack. */
export function ackError(
  code: ErrorCode,
  message: string,
  extra?: Omit<WireError, 'code' | 'message'>,
): AckError {
  return { ok: false, error: { code, message, ...extra } };
}

/** Narrows an ack to its error branch. */
export function isAckError(ack: Ack<object>): ack is AckError {
  return ack.ok === false;
}
