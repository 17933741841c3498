import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';

/** A deterministic source of [0, 1) values that cycles through `values`. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('backoffDelay', () => {
  it('grows by the factor per attempt, starting at initialDelay', () => {
    const options = { initialDelay: 100, factor: 3, maxDelay: 1_000_000, jitter: 0 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, options))).toEqual([
      100, 300, 900, 2700, 8100,
    ]);
  });

  it('uses the documented defaults', () => {
    const noJitter = { jitter: 0 };
    expect(backoffDelay(1, noJitter)).toBe(DEFAULT_BACKOFF.initialDelay);
    expect(backoffDelay(2, noJitter)).toBe(DEFAULT_BACKOFF.initialDelay * DEFAULT_BACKOFF.factor);
    expect(backoffDelay(50, noJitter)).toBe(DEFAULT_BACKOFF.maxDelay);
  });

  it('treats attempt 0 (and below) like the first attempt', () => {
    const options = { initialDelay: 250, jitter: 0 };
    expect(backoffDelay(0, options)).toBe(250);
    expect(backoffDelay(-3, options)).toBe(250);
  });

  it('caps at maxDelay, even for huge attempt numbers', () => {
    const options = { initialDelay: 500, factor: 2, maxDelay: 4_000, jitter: 0 };
    expect(backoffDelay(4, options)).toBe(4_000);
    expect(backoffDelay(5, options)).toBe(4_000);
    expect(backoffDelay(1_000, options)).toBe(4_000);
    expect(Number.isFinite(backoffDelay(10_000, options))).toBe(true);
  });

  it('jitter: random 0 gives the low end d·(1−j), random ~1 the high end d·(1+j)', () => {
    const options = { initialDelay: 1_000, factor: 2, maxDelay: 1_000_000, jitter: 0.5 };
    expect(backoffDelay(1, options, () => 0)).toBe(500);
    expect(backoffDelay(1, options, () => 0.999_999)).toBe(1_500);
    expect(backoffDelay(3, options, () => 0)).toBe(2_000);
    expect(backoffDelay(3, options, () => 0.999_999)).toBe(6_000);
    // The middle of the range is the un-jittered delay.
    expect(backoffDelay(3, options, () => 0.5)).toBe(4_000);
  });

  it('jitter: many draws stay within [d·(1−j), d·(1+j)] and never above maxDelay', () => {
    const options = { initialDelay: 300, factor: 2, maxDelay: 10_000, jitter: 0.3 };
    let seed = 42;
    // A small LCG: deterministic, but spread over [0, 1).
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let attempt = 1; attempt <= 12; attempt++) {
      const d = Math.min(300 * 2 ** (attempt - 1), 10_000);
      const seen = new Set<number>();
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelay(attempt, options, random);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(d * 0.7));
        expect(delay).toBeLessThanOrEqual(Math.ceil(d * 1.3));
        expect(delay).toBeLessThanOrEqual(10_000);
        seen.add(delay);
      }
      // Jitter actually spreads the clients out.
      expect(seen.size).toBeGreaterThan(10);
    }
  });

  it('jitter at the cap is clamped to maxDelay, but can still go below it', () => {
    const options = { initialDelay: 1_000, maxDelay: 5_000, jitter: 0.5 };
    expect(backoffDelay(20, options, () => 0.999_999)).toBe(5_000);
    expect(backoffDelay(20, options, () => 0)).toBe(2_500);
  });

  it('jitter 0 is exact whatever random returns', () => {
    const options = { initialDelay: 700, factor: 1.5, maxDelay: 100_000, jitter: 0 };
    const random = sequence(0, 0.25, 0.5, 0.999);
    for (let i = 0; i < 4; i++) expect(backoffDelay(2, options, random)).toBe(1_050);
  });

  it('clamps out-of-range jitter to [0, 1]', () => {
    const options = { initialDelay: 1_000, maxDelay: 100_000 };
    expect(backoffDelay(1, { ...options, jitter: -1 }, () => 0)).toBe(1_000);
    expect(backoffDelay(1, { ...options, jitter: 5 }, () => 0)).toBe(0);
    expect(backoffDelay(1, { ...options, jitter: 5 }, () => 0.999_999)).toBe(2_000);
  });

  it('returns whole milliseconds', () => {
    const options = { initialDelay: 333, factor: 1.7, jitter: 0.37 };
    for (let attempt = 1; attempt < 10; attempt++) {
      expect(Number.isInteger(backoffDelay(attempt, options, () => 0.123))).toBe(true);
    }
  });
});
