import { afterEach, describe, expect, it, vi } from 'vitest';
import { frameScheduler, microtaskScheduler } from './frameScheduler.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('frameScheduler', () => {
  it('falls back to a timer outside the browser, and can be cancelled', async () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    frameScheduler.schedule(fn);
    expect(fn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(0);
    expect(fn).toHaveBeenCalledTimes(1);
    const cancelled = vi.fn();
    frameScheduler.schedule(cancelled)();
    await vi.advanceTimersByTimeAsync(1000);
    expect(cancelled).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('uses requestAnimationFrame when there is one, with a timer for paused background tabs', async () => {
    vi.useFakeTimers();
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    vi.stubGlobal('cancelAnimationFrame', vi.fn());
    const fn = vi.fn();
    frameScheduler.schedule(fn);
    await vi.advanceTimersByTimeAsync(0);
    expect(fn).not.toHaveBeenCalled(); // waits for the frame
    frames[0]?.(0);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0); // the fallback timer died with it

    const hidden = vi.fn();
    frameScheduler.schedule(hidden); // no frame comes (hidden tab)
    await vi.advanceTimersByTimeAsync(250);
    expect(hidden).toHaveBeenCalledTimes(1);
    frames[1]?.(0);
    expect(hidden).toHaveBeenCalledTimes(1); // once only
  });
});

describe('microtaskScheduler', () => {
  it('runs on the next microtask unless cancelled', async () => {
    const fn = vi.fn();
    const cancelled = vi.fn();
    microtaskScheduler.schedule(fn);
    microtaskScheduler.schedule(cancelled)();
    await Promise.resolve();
    expect(fn).toHaveBeenCalledTimes(1);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
