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

  it('keeps a spent bucket after its last lease until it has refilled: reconnecting buys no budget', () => {
    let now = 0;
    const limiter = new RateLimiter({ capacity: 3, refillPerSecond: 1, now: () => now });
    const first = limiter.acquire('mallory');
    while (first.bucket.take());
    first.release();
    const second = limiter.acquire('mallory');
    expect(second.bucket.take()).toBe(false);
    second.release();
    expect(limiter.size).toBe(1);
    now += 2_999;
    expect(limiter.size).toBe(1);
    now += 1;
    // Full again: the same as a new bucket, so it is gone.
    expect(limiter.size).toBe(0);
    expect(limiter.acquire('mallory').bucket.tokens).toBe(3);
    // Keys that never come back (sockets) are dropped at once.
    const socket = limiter.acquire('socket:1', { linger: false });
    socket.bucket.take();
    socket.release();
    expect(limiter.size).toBe(1);
  });
});
