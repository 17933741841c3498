import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock, Timers } from '../internal/clock.js';
import { DEFAULT_HEARTBEAT, Heartbeat, type HeartbeatOptions } from './heartbeat.js';

/** A heartbeat over a fake `ping` whose pongs the test answers by hand. */
function setup(options: HeartbeatOptions = {}) {
  const timers = new Timers(systemClock);
  const pongs: Array<() => void> = [];
  const rtts: number[] = [];
  const onDead = vi.fn();
  const heartbeat = new Heartbeat(options, {
    timers,
    clock: systemClock,
    ping: (onPong) => pongs.push(onPong),
    onRtt: (ms) => rtts.push(ms),
    onDead,
  });
  /** Answers the most recent ping. */
  const pong = () => pongs.at(-1)?.();
  return { heartbeat, timers, pongs, rtts, onDead, pong };
}

describe('Heartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('defaults to a 25 s interval, a 10 s timeout and one miss', () => {
    expect(DEFAULT_HEARTBEAT).toEqual({ interval: 25_000, timeout: 10_000, maxMissed: 1 });
  });

  it('pings immediately on start, then every interval', () => {
    const { heartbeat, pongs, pong } = setup({ interval: 1_000, timeout: 500 });
    heartbeat.start();
    expect(pongs).toHaveLength(1);
    pong();
    vi.advanceTimersByTime(999);
    expect(pongs).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(pongs).toHaveLength(2);
    pong();
    vi.advanceTimersByTime(1_000);
    expect(pongs).toHaveLength(3);
  });

  it('reports the round trip of each answered ping', () => {
    const { heartbeat, rtts, pong } = setup({ interval: 1_000, timeout: 500 });
    heartbeat.start();
    vi.advanceTimersByTime(42);
    pong();
    expect(rtts).toEqual([42]);
    vi.advanceTimersByTime(958); // second ping at t=1000
    vi.advanceTimersByTime(7);
    pong();
    expect(rtts).toEqual([42, 7]);
  });

  it('a pong answered twice is counted once', () => {
    const { heartbeat, rtts, pongs } = setup({ interval: 1_000, timeout: 500 });
    heartbeat.start();
    vi.advanceTimersByTime(10);
    pongs[0]?.();
    pongs[0]?.();
    expect(rtts).toEqual([10]);
  });

  it('maxMissed 1: a missing pong after `timeout` declares the link dead, not before', () => {
    const { heartbeat, onDead, timers } = setup({ interval: 1_000, timeout: 300, maxMissed: 1 });
    heartbeat.start();
    vi.advanceTimersByTime(299);
    expect(onDead).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onDead).toHaveBeenCalledTimes(1);
    // Dead means stopped: no more pings, no timers left behind.
    expect(timers.size).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(onDead).toHaveBeenCalledTimes(1);
  });

  it('detects a link that goes silent within interval + timeout of the last pong', () => {
    const { heartbeat, onDead, pong } = setup({ interval: 1_000, timeout: 300 });
    heartbeat.start();
    pong(); // t=0 answered, then silence
    vi.advanceTimersByTime(1_000 + 299);
    expect(onDead).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onDead).toHaveBeenCalledTimes(1);
  });

  it('maxMissed 2 needs two misses in a row', () => {
    const { heartbeat, onDead, pongs } = setup({ interval: 1_000, timeout: 300, maxMissed: 2 });
    heartbeat.start();
    vi.advanceTimersByTime(300); // first miss
    expect(onDead).not.toHaveBeenCalled();
    vi.advanceTimersByTime(700); // second ping at t=1000
    expect(pongs).toHaveLength(2);
    vi.advanceTimersByTime(299);
    expect(onDead).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1); // second miss
    expect(onDead).toHaveBeenCalledTimes(1);
  });

  it('a pong resets the miss count', () => {
    const { heartbeat, onDead, pong } = setup({ interval: 1_000, timeout: 300, maxMissed: 2 });
    heartbeat.start();
    vi.advanceTimersByTime(1_000); // miss #1, second ping at t=1000
    pong(); // answered: count back to 0
    vi.advanceTimersByTime(1_000); // third ping at t=2000
    vi.advanceTimersByTime(300); // miss #1 again
    expect(onDead).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000); // fourth ping at t=3000 missed: #2
    expect(onDead).toHaveBeenCalledTimes(1);
  });

  it('stop() cancels every timer and ignores late pongs', () => {
    const { heartbeat, timers, onDead, rtts, pongs } = setup({ interval: 1_000, timeout: 300 });
    heartbeat.start();
    expect(timers.size).toBe(2);
    heartbeat.stop();
    expect(timers.size).toBe(0);
    pongs[0]?.();
    expect(rtts).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(onDead).not.toHaveBeenCalled();
    expect(pongs).toHaveLength(1);
  });

  it('stop() leaves no timer behind when the timeout outlasts the interval', () => {
    const { heartbeat, timers, onDead } = setup({ interval: 1_000, timeout: 2_500, maxMissed: 5 });
    heartbeat.start();
    vi.advanceTimersByTime(2_100); // three pings out, all still waiting
    heartbeat.stop();
    expect(timers.size).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(onDead).not.toHaveBeenCalled();
  });

  it('does not accumulate cancel handles over a long healthy session', () => {
    const { heartbeat, timers, pong, onDead } = setup({ interval: 1_000, timeout: 300 });
    heartbeat.start();
    for (let i = 0; i < 1_000; i++) {
      pong();
      vi.advanceTimersByTime(1_000);
    }
    expect(onDead).not.toHaveBeenCalled();
    // One timeout for the in-flight ping, one for the next tick.
    expect(timers.size).toBe(2);
  });

  it('start() restarts: the previous run is forgotten, miss count reset', () => {
    const { heartbeat, onDead, pongs, rtts } = setup({ interval: 1_000, timeout: 300 });
    heartbeat.start();
    vi.advanceTimersByTime(200);
    heartbeat.start();
    expect(pongs).toHaveLength(2);
    pongs[0]?.(); // late pong of the old run
    expect(rtts).toEqual([]);
    vi.advanceTimersByTime(299);
    expect(onDead).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onDead).toHaveBeenCalledTimes(1);
  });

  it('checkNow() pings out of schedule while running, and does nothing when stopped', () => {
    const { heartbeat, pongs, pong } = setup({ interval: 10_000, timeout: 300 });
    heartbeat.checkNow();
    expect(pongs).toHaveLength(0);
    heartbeat.start();
    pong();
    vi.advanceTimersByTime(500);
    heartbeat.checkNow();
    expect(pongs).toHaveLength(2);
    heartbeat.stop();
    heartbeat.checkNow();
    expect(pongs).toHaveLength(2);
  });
  it('handles a ping answered synchronously (no stray timers, RTT 0)', () => {
    const timers = new Timers(systemClock);
    const rtts: number[] = [];
    const onDead = vi.fn();
    const heartbeat = new Heartbeat(
      { interval: 1_000, timeout: 300 },
      {
        timers,
        clock: systemClock,
        ping: (onPong) => onPong(),
        onRtt: (ms) => rtts.push(ms),
        onDead,
      },
    );
    heartbeat.start();
    expect(rtts).toEqual([0]);
    expect(timers.size).toBe(1); // only the next tick
    vi.advanceTimersByTime(5_000);
    expect(rtts).toHaveLength(6);
    expect(onDead).not.toHaveBeenCalled();
    heartbeat.stop();
    expect(timers.size).toBe(0);
  });
});
