import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { WirekitError } from '../errors.js';
import type { Clock } from '../internal/clock.js';
import type { NetworkStatus } from '../internal/network.js';
import type { Transport } from '../transports/types.js';
import type { BackoffOptions } from './backoff.js';
import type { HeartbeatOptions } from './heartbeat.js';
import type { OutboxEntry, OutboxOptions } from './outbox.js';

/**
 * The one lifecycle of every connection, whatever the transport:
 * `idle → connecting → connected → reconnecting → connected … → failed | closed`.
 */
export type ConnectionState =
  /** Created, not opened (also the permanent state during SSR). */
  | 'idle'
  /** First attempt in progress. */
  | 'connecting'
  | 'connected'
  /** Lost or never reached; waiting for the next attempt or attempting. */
  | 'reconnecting'
  /** Gave up: `unauthorized`, or `maxAttempts` reached. `reconnect()` starts again. */
  | 'failed'
  /** Closed by the application; final. */
  | 'closed';

/** Inbound event name → payload type. */
export type EventMap = Record<string, unknown>;

/** What the auth callback may return: a token string, a handshake object, or nothing (signed out). */
export type AuthPayload = string | Record<string, unknown> | null | undefined;

/** Called before every connect attempt, so a refreshed token is always used. */
export type AuthCallback = () => AuthPayload | Promise<AuthPayload>;

/** An immutable picture of a connection; a new object after every change. */
export interface ConnectionSnapshot {
  readonly key: string;
  readonly transport: string;
  readonly state: ConnectionState;
  /** Attempts since the last successful connect (0 while connected). */
  readonly attempt: number;
  /** Epoch ms of the next scheduled attempt, or `null`. */
  readonly nextRetryAt: number | null;
  /** Why the last attempt or session ended; cleared on connect. */
  readonly error: WirekitError | null;
  /** Last heartbeat round trip in ms. */
  readonly rtt: number | null;
  /** Messages held in the outbox (queued or awaiting ack). */
  readonly queued: number;
  readonly queuedBytes: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Live handlers and subscribers on this connection. */
  readonly listeners: number;
  /** Pending timers owned by this connection. */
  readonly timers: number;
  /** Inbound payloads dropped by validation. */
  readonly invalid: number;
  /** Outbound messages dropped or refused by the outbox, or refused by the transport. */
  readonly dropped: number;
  /** Outbound messages given up after their TTL or ack timeout. */
  readonly expired: number;
  /** Epoch ms of the current session's start, or `null`. */
  readonly connectedAt: number | null;
}

/** A reported, non-fatal problem: never thrown into handlers. */
export type Diagnostic =
  | { type: 'invalid'; event: string; issues: readonly StandardSchemaV1.Issue[] }
  /** `overflow`: no room in the outbox; `invalid`: the transport refused it (e.g. a reserved name). */
  | { type: 'dropped'; reason: 'overflow' | 'invalid'; message: OutboxEntry }
  | { type: 'expired'; message: OutboxEntry }
  | { type: 'handler-error'; event: string; error: unknown };

export interface SendOptions {
  /** Not queued: written only if connected right now, else dropped (typing indicators). */
  volatile?: boolean;
  /** Ms a queued message may wait before it is given up. @default Infinity */
  ttl?: number;
  /**
   * Client id to send under instead of a generated one (e.g. a model's optimistic id, so a
   * retry after a failure is deduplicated by the server too). Must not be held already.
   */
  cid?: string;
}

export interface AckSendOptions {
  ack: true;
  /**
   * Ms until the promise rejects with `timeout` if no ack arrived, across reconnects.
   * @default the connection's `ackTimeout` (30000)
   */
  timeout?: number;
  /** Client id to send under instead of a generated one; see {@link SendOptions.cid}. */
  cid?: string;
}

export interface OnOptions<T> {
  /** Validates the payload for this handler; invalid payloads are dropped and counted. */
  schema?: StandardSchemaV1<unknown, T>;
}

export interface ConnectionOptions {
  key: string;
  url: string;
  transport: Transport;
  auth?: AuthCallback;
  /** @default 10000 */
  connectTimeout?: number;
  backoff?: BackoffOptions;
  /** Consecutive failed attempts before `failed`. @default Infinity */
  maxAttempts?: number;
  /** `false` turns it off. */
  heartbeat?: HeartbeatOptions | false;
  outbox?: OutboxOptions;
  /** Default ack deadline in ms. @default 30000 */
  ackTimeout?: number;
  /** Per-event inbound schemas (Standard Schema: zod, valibot, arktype, …). */
  schemas?: Record<string, StandardSchemaV1>;
  /** When true, `open()` does nothing (SSR). */
  inert?: boolean;
  clock?: Clock;
  random?: () => number;
  network?: NetworkStatus;
}
