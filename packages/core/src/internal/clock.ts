/** The time source and timer functions; injectable so backoff and heartbeat are testable. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The longest delay `setTimeout` honours (about 24.8 days). */
const MAX_TIMEOUT = 2 ** 31 - 1;

/**
 * Timers owned by one object. Every pending timer is counted so leak checks can assert zero,
 * and `clearAll()` is the one place they die with their owner.
 */
export class Timers {
  readonly #clock: Clock;
  readonly #pending = new Map<symbol, unknown>();

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  /** Schedules `callback`; returns a cancel function. */
  set(callback: () => void, ms: number): () => void {
    const id = Symbol();
    const handle = this.#clock.setTimeout(
      () => {
        this.#pending.delete(id);
        callback();
      },
      // Beyond 2^31−1 ms, setTimeout fires at once; callers re-check the time when it fires.
      Math.min(Math.max(0, ms), MAX_TIMEOUT),
    );
    this.#pending.set(id, handle);
    return () => {
      const h = this.#pending.get(id);
      if (h === undefined) return;
      this.#pending.delete(id);
      this.#clock.clearTimeout(h);
    };
  }

  get size(): number {
    return this.#pending.size;
  }

  clearAll(): void {
    for (const handle of this.#pending.values()) this.#clock.clearTimeout(handle);
    this.#pending.clear();
  }
}
