import { TokenBucket, type TokenBucketOptions } from './token-bucket.js';

/** A bucket shared by every holder of one key; `release()` once when done with it. */
export interface RateLease {
  readonly bucket: TokenBucket;
  release(): void;
}

interface Entry {
  bucket: TokenBucket;
  holders: number;
  /** When the last lease was released (only while `holders` is 0). */
  releasedAt: number;
}

/**
 * Token buckets by key (a user id, or a socket id), reference-counted: every connection of a
 * user shares one budget, so opening more tabs does not multiply it. A bucket outlives its last
 * lease until it has refilled (at most `capacity / refillPerSecond` seconds), so reconnecting
 * does not buy a fresh budget either; then it is gone. No timers: stale buckets are swept on use.
 */
export class RateLimiter {
  readonly #options: TokenBucketOptions;
  readonly #now: () => number;
  /** How long a bucket takes to refill from empty, in ms. */
  readonly #refillMs: number;
  readonly #buckets = new Map<string, Entry>();
  /** Keys whose last lease was released, oldest release first. */
  readonly #idle = new Map<string, Entry>();

  constructor(options: TokenBucketOptions) {
    new TokenBucket(options); // throws on bad options now, not at the first connection
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#refillMs = (options.capacity / options.refillPerSecond) * 1000;
  }

  /** Buckets held or still refilling (0 once every lease is released and has refilled). */
  get size(): number {
    this.#sweep();
    return this.#buckets.size;
  }

  /**
   * A lease on the key's bucket. `linger: false` drops the bucket with its last lease even when
   * spent, for keys that never come back (a socket id).
   */
  acquire(key: string, { linger = true }: { linger?: boolean } = {}): RateLease {
    this.#sweep();
    let entry = this.#buckets.get(key);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.#options), holders: 0, releasedAt: 0 };
      this.#buckets.set(key, entry);
    }
    this.#idle.delete(key);
    entry.holders += 1;
    let released = false;
    const held = entry;
    return {
      bucket: held.bucket,
      release: () => {
        if (released) return;
        released = true;
        held.holders -= 1;
        if (held.holders > 0 || this.#buckets.get(key) !== held) return;
        if (!linger || held.bucket.tokens >= this.#options.capacity) {
          this.#buckets.delete(key);
        } else {
          held.releasedAt = this.#now();
          this.#idle.set(key, held);
        }
        this.#sweep();
      },
    };
  }

  /** Drops idle buckets that have refilled since their release (they equal a new one). */
  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#idle) {
      if (now - entry.releasedAt < this.#refillMs) break;
      this.#idle.delete(key);
      if (entry.holders === 0 && this.#buckets.get(key) === entry) this.#buckets.delete(key);
    }
  }
}
