/** What went wrong, as a closed set a UI can switch on. */
export type WirekitErrorKind =
  /** The server rejected the credentials. No automatic retry. */
  | 'unauthorized'
  /** Connect, ack or heartbeat deadline passed. */
  | 'timeout'
  /** Transport-level failure: refused, dropped, offline. */
  | 'network'
  /** The server closed the session or replied with an error. */
  | 'server'
  /** A payload failed validation. */
  | 'invalid'
  /** The outbox was full and the message was dropped or refused. */
  | 'overflow'
  /** The connection was closed by the application. */
  | 'closed'
  /** The transport cannot do this (e.g. send over SSE). */
  | 'unsupported';

/** The one error type wirekit throws or reports. */
export class WirekitError extends Error {
  override readonly name = 'WirekitError';
  readonly kind: WirekitErrorKind;
  /** Server-provided code or extra data, when any. */
  readonly data: unknown;

  constructor(
    kind: WirekitErrorKind,
    message: string,
    options?: { cause?: unknown; data?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.data = options?.data;
  }
}

export function isWirekitError(value: unknown): value is WirekitError {
  return value instanceof WirekitError;
}
