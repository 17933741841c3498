/** What happens when a message does not fit in the outbox. */
export type OverflowPolicy =
  /** Evict the oldest queued messages to make room (their promises reject with `overflow`). */
  | 'drop-oldest'
  /** Drop the incoming message and report it; `send()` does not throw. */
  | 'drop-newest'
  /** Refuse the incoming message: `send()` throws a `WirekitError` of kind `overflow`. */
  | 'reject';

export interface OutboxOptions {
  /** Most messages held (queued + awaiting ack). @default 100 */
  maxMessages?: number;
  /** Most payload bytes held. @default 1_048_576 */
  maxBytes?: number;
  /** @default 'drop-oldest' */
  overflow?: OverflowPolicy;
}

export interface OutboxEntry {
  /** Client id: stable across resends so the server can deduplicate. */
  readonly cid: string;
  readonly event: string;
  readonly data: unknown;
  readonly bytes: number;
  readonly enqueuedAt: number;
  /** Epoch ms after which the message is given up; `Infinity` (or `NaN`) for never. */
  readonly expiresAt: number;
  /** Acked messages stay until the server acks, and are resent after a reconnect. */
  readonly ack: boolean;
}

export interface PushResult {
  accepted: boolean;
  /** Entries evicted to make room (drop-oldest). */
  evicted: OutboxEntry[];
}

export const DEFAULT_OUTBOX: Required<OutboxOptions> = {
  maxMessages: 100,
  maxBytes: 1_048_576,
  overflow: 'drop-oldest',
};

/** A bounded, ordered queue of outgoing messages keyed by client id. */
export class Outbox {
  readonly options: Required<OutboxOptions>;
  // Map keeps insertion order, which is send order.
  readonly #entries = new Map<string, OutboxEntry>();
  #bytes = 0;

  constructor(options: OutboxOptions = {}) {
    this.options = { ...DEFAULT_OUTBOX, ...options };
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  has(cid: string): boolean {
    return this.#entries.has(cid);
  }

  entries(): OutboxEntry[] {
    return [...this.#entries.values()];
  }

  push(entry: OutboxEntry): PushResult {
    const { maxMessages, maxBytes, overflow } = this.options;
    const fits = () => this.#entries.size < maxMessages && this.#bytes + entry.bytes <= maxBytes;
    if (entry.bytes > maxBytes || maxMessages < 1) return { accepted: false, evicted: [] };
    if (fits()) {
      this.#add(entry);
      return { accepted: true, evicted: [] };
    }
    if (overflow !== 'drop-oldest') return { accepted: false, evicted: [] };
    const evicted: OutboxEntry[] = [];
    for (const oldest of this.#entries.values()) {
      if (fits()) break;
      this.remove(oldest.cid);
      evicted.push(oldest);
    }
    this.#add(entry);
    return { accepted: true, evicted };
  }

  remove(cid: string): OutboxEntry | undefined {
    const entry = this.#entries.get(cid);
    if (!entry) return undefined;
    this.#entries.delete(cid);
    this.#bytes -= entry.bytes;
    return entry;
  }

  /** Removes and returns the entries whose deadline has passed. */
  expire(now: number): OutboxEntry[] {
    const expired: OutboxEntry[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.expiresAt <= now) expired.push(entry);
    }
    for (const entry of expired) this.remove(entry.cid);
    return expired;
  }

  /** Earliest deadline among held entries, or `Infinity`. */
  nextExpiry(): number {
    let next = Infinity;
    // Not Math.min: one NaN deadline (never) would hide every other.
    for (const { expiresAt } of this.#entries.values()) if (expiresAt < next) next = expiresAt;
    return next;
  }

  clear(): OutboxEntry[] {
    const all = this.entries();
    this.#entries.clear();
    this.#bytes = 0;
    return all;
  }

  #add(entry: OutboxEntry): void {
    this.#entries.set(entry.cid, entry);
    this.#bytes += entry.bytes;
  }
}
