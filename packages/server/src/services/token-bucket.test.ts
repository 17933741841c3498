import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('allows a burst up to capacity, then refills over time', () => {
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 2 });
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.retryAfterMs()).toBe(500);
    vi.advanceTimersByTime(499);
    expect(bucket.take()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('never holds more than its capacity', () => {
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 10 });
    vi.advanceTimersByTime(60_000);
    expect(bucket.tokens).toBe(2);
    expect(bucket.retryAfterMs()).toBe(0);
  });

  it('takes an injected clock', () => {
    let now = 0;
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1, now: () => now });
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now = 1000;
    expect(bucket.take()).toBe(true);
  });

  it('refuses a nonsensical configuration', () => {
    expect(() => new TokenBucket({ capacity: 0, refillPerSecond: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: 1, refillPerSecond: 0 })).toThrow(RangeError);
  });
});
