import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  const options = { capacity: 3, refillPerSecond: 1, now: () => 0 };

  it('shares one budget between the leases of a key', () => {
    const limiter = new RateLimiter(options);
    const tab1 = limiter.acquire('alice');
    const tab2 = limiter.acquire('alice');
    expect(tab1.bucket.take()).toBe(true);
    expect(tab2.bucket.take()).toBe(true);
    expect(tab1.bucket.take()).toBe(true);
    expect(tab2.bucket.take()).toBe(false);
    // Another key has its own budget.
    expect(limiter.acquire('bob').bucket.take()).toBe(true);
  });

  it('drops a bucket with its last lease, and a double release counts once', () => {
    const limiter = new RateLimiter(options);
    const a = limiter.acquire('alice');
    const b = limiter.acquire('alice');
    a.release();
    a.release();
    expect(limiter.size).toBe(1);
    b.release();
    expect(limiter.size).toBe(0);
    // A new connection after the last one left starts with a full bucket.
    const c = limiter.acquire('alice');
    expect(c.bucket.tokens).toBe(3);
  });
});
