import type { Clock, Timers } from '../internal/clock.js';

export interface HeartbeatOptions {
  /** Ms between pings. @default 25000 */
  interval?: number;
  /** Ms to wait for a pong before the ping counts as missed. @default 10000 */
  timeout?: number;
  /** Missed pongs in a row that declare the link dead. @default 1 */
  maxMissed?: number;
}

export const DEFAULT_HEARTBEAT: Required<HeartbeatOptions> = {
  interval: 25_000,
  timeout: 10_000,
  maxMissed: 1,
};

interface HeartbeatDeps {
  timers: Timers;
  clock: Clock;
  ping(onPong: () => void): void;
  onRtt(ms: number): void;
  onDead(): void;
}

/**
 * Pings at an interval; `maxMissed` unanswered pings in a row call `onDead`. With the
 * defaults a half-open link is detected within `interval + timeout`.
 */
export class Heartbeat {
  readonly #options: Required<HeartbeatOptions>;
  readonly #deps: HeartbeatDeps;
  #run = 0;
  #missed = 0;
  #cancels: Array<() => void> = [];

  constructor(options: HeartbeatOptions, deps: HeartbeatDeps) {
    this.#options = { ...DEFAULT_HEARTBEAT, ...options };
    this.#deps = deps;
  }

  /** Starts (or restarts) with an immediate ping, so RTT is known right after connect. */
  start(): void {
    this.stop();
    this.#tick(this.#run);
  }

  /** Pings now, out of schedule (e.g. when the browser reports `offline`). */
  checkNow(): void {
    if (this.#cancels.length === 0) return;
    this.start();
  }

  stop(): void {
    this.#run += 1;
    this.#missed = 0;
    for (const cancel of this.#cancels) cancel();
    this.#cancels = [];
  }

  #tick(run: number): void {
    const { interval, timeout, maxMissed } = this.#options;
    const { timers, clock } = this.#deps;
    const sentAt = clock.now();
    let answered = false;
    const cancelTimeout = timers.set(() => {
      this.#forget(cancelTimeout);
      if (answered || run !== this.#run) return;
      this.#missed += 1;
      if (this.#missed >= maxMissed) {
        this.stop();
        this.#deps.onDead();
      }
    }, timeout);
    this.#cancels.push(cancelTimeout);
    this.#deps.ping(() => {
      if (answered || run !== this.#run) return;
      answered = true;
      cancelTimeout();
      this.#forget(cancelTimeout);
      this.#missed = 0;
      this.#deps.onRtt(clock.now() - sentAt);
    });
    const cancelNext = timers.set(() => {
      if (run !== this.#run) return;
      // Only this tick's timer: a previous timeout may still be pending (timeout > interval).
      this.#forget(cancelNext);
      this.#tick(run);
    }, interval);
    this.#cancels.push(cancelNext);
  }

  #forget(cancel: () => void): void {
    this.#cancels = this.#cancels.filter((c) => c !== cancel);
  }
}
