/** Options of {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Burst size: tokens available at once. */
  capacity: number;
  /** Tokens added back per second. */
  refillPerSecond: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/**
 * A token bucket: `take()` spends one token if there is one. Refilled lazily
 * from the clock, so it owns no timer and needs no cleanup.
 *
 * @example
 * const bucket = new TokenBucket({ capacity: 20, refillPerSecond: 10 });
 * if (!bucket.take()) reply('rate_limited', bucket.retryAfterMs());
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #rate: number;
  readonly #now: () => number;
  #tokens: number;
  #updated: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.capacity >= 1) || !(options.refillPerSecond > 0)) {
      throw new RangeError('TokenBucket needs capacity >= 1 and refillPerSecond > 0');
    }
    this.#capacity = options.capacity;
    this.#rate = options.refillPerSecond / 1000;
    this.#now = options.now ?? Date.now;
    this.#tokens = options.capacity;
    this.#updated = this.#now();
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#updated);
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#rate);
    this.#updated = now;
  }

  /** Tokens available now (fractional). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Spends `cost` tokens if available; returns whether it did. */
  take(cost = 1): boolean {
    this.#refill();
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Milliseconds until `cost` tokens are available (0 if they are now). */
  retryAfterMs(cost = 1): number {
    this.#refill();
    return this.#tokens >= cost ? 0 : Math.ceil((cost - this.#tokens) / this.#rate);
  }
}
