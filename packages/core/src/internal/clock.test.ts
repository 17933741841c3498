import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Clock, systemClock, Timers } from './clock.js';

describe('Timers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts pending timers and forgets them once they fire', () => {
    const timers = new Timers(systemClock);
    const fired = vi.fn();
    timers.set(fired, 100);
    timers.set(fired, 200);
    expect(timers.size).toBe(2);
    vi.advanceTimersByTime(100);
    expect(fired).toHaveBeenCalledTimes(1);
    expect(timers.size).toBe(1);
    vi.advanceTimersByTime(100);
    expect(timers.size).toBe(0);
  });

  it('cancel stops a timer; cancelling twice or after it fired is harmless', () => {
    const timers = new Timers(systemClock);
    const fired = vi.fn();
    const cancel = timers.set(fired, 100);
    cancel();
    cancel();
    expect(timers.size).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(fired).not.toHaveBeenCalled();
    const cancelLater = timers.set(fired, 10);
    vi.advanceTimersByTime(10);
    cancelLater();
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('clearAll cancels everything', () => {
    const timers = new Timers(systemClock);
    const fired = vi.fn();
    for (let i = 0; i < 5; i++) timers.set(fired, i * 10);
    timers.clearAll();
    expect(timers.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(fired).not.toHaveBeenCalled();
  });

  it('treats negative delays as 0 and clamps delays setTimeout cannot hold', () => {
    const delays: number[] = [];
    const clock: Clock = {
      now: () => 0,
      setTimeout: (_cb, ms) => delays.push(ms),
      clearTimeout: () => {},
    };
    const timers = new Timers(clock);
    timers.set(() => {}, -5);
    timers.set(() => {}, 30 * 24 * 3_600_000);
    expect(delays).toEqual([0, 2 ** 31 - 1]);
  });

  it('uses the injected clock', () => {
    const pending: Array<() => void> = [];
    const cleared: unknown[] = [];
    const clock: Clock = {
      now: () => 0,
      setTimeout: (cb) => pending.push(cb),
      clearTimeout: (handle) => cleared.push(handle),
    };
    const timers = new Timers(clock);
    const fired = vi.fn();
    timers.set(fired, 1);
    const cancel = timers.set(fired, 1);
    expect(vi.getTimerCount()).toBe(0);
    pending[0]?.();
    expect(fired).toHaveBeenCalledTimes(1);
    cancel();
    expect(cleared).toEqual([2]); // the handle the clock returned
    expect(timers.size).toBe(0);
  });
});
