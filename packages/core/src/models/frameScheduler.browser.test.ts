import { describe, expect, it } from 'vitest';
import { frameScheduler } from './frameScheduler.js';

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));

describe('frameScheduler in Chromium', () => {
  it('runs in the next animation frame, once', async () => {
    let runs = 0;
    let frameTime: number | undefined;
    frameScheduler.schedule(() => {
      runs += 1;
      frameTime = performance.now();
    });
    await Promise.resolve();
    expect(runs).toBe(0); // not a microtask
    const frame = await nextFrame();
    expect(runs).toBe(1);
    expect(frameTime).toBeLessThanOrEqual(performance.now());
    expect(frame).toBeGreaterThan(0);
    await nextFrame();
    expect(runs).toBe(1);
  });

  it('coalesces a burst into one run per frame when the caller reschedules after each run', async () => {
    let scheduled = false;
    let runs = 0;
    const poke = () => {
      if (scheduled) return;
      scheduled = true;
      frameScheduler.schedule(() => {
        scheduled = false;
        runs += 1;
      });
    };
    for (let i = 0; i < 10_000; i++) poke();
    await nextFrame();
    expect(runs).toBe(1);
  });
});
