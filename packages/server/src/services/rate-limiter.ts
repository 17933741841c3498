import { TokenBucket, type TokenBucketOptions } from './token-bucket.js';

/** A bucket shared by every holder of one key; `release()` once when done with it. */
export interface RateLease {
  readonly bucket: TokenBucket;
  release(): void;
}

/**
 * Token buckets by key (a user id, or a socket id), reference-counted: every connection of a
 * user shares one budget, so opening more tabs does not multiply it, and the bucket is gone
 * with the user's last connection.
 */
export class RateLimiter {
  readonly #options: TokenBucketOptions;
  readonly #buckets = new Map<string, { bucket: TokenBucket; holders: number }>();

  constructor(options: TokenBucketOptions) {
    new TokenBucket(options); // throws on bad options now, not at the first connection
    this.#options = options;
  }

  /** Buckets held now (0 once every lease is released). */
  get size(): number {
    return this.#buckets.size;
  }

  acquire(key: string): RateLease {
    let entry = this.#buckets.get(key);
    if (!entry)
      this.#buckets.set(key, (entry = { bucket: new TokenBucket(this.#options), holders: 0 }));
    entry.holders += 1;
    let released = false;
    const held = entry;
    return {
      bucket: held.bucket,
      release: () => {
        if (released) return;
        released = true;
        held.holders -= 1;
        if (held.holders === 0 && this.#buckets.get(key) === held) this.#buckets.delete(key);
      },
    };
  }
}
