/** Runs a function later, once; models use it to coalesce bursts into one notification. */
export interface BatchScheduler {
  /** Schedules `fn`; returns a cancel function (harmless after it ran). */
  schedule(fn: () => void): () => void;
}

/**
 * Longest wait for a frame. Background tabs pause `requestAnimationFrame`; without this cap
 * a hidden tab would buffer every inbound event until it became visible again.
 */
const FRAME_FALLBACK_MS = 250;

/**
 * At most one run per animation frame: `requestAnimationFrame` in the browser (with a timer
 * fallback for background tabs), a `setTimeout(0)` elsewhere (Node, workers, tests).
 *
 * @example
 * const room = new ChatRoom(connection, { room: 'lobby', scheduler: frameScheduler });
 */
export const frameScheduler: BatchScheduler = {
  schedule(fn) {
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      cancel();
      fn();
    };
    const raf = typeof globalThis.requestAnimationFrame === 'function';
    const frame = raf ? globalThis.requestAnimationFrame(run) : undefined;
    const timer = setTimeout(run, raf ? FRAME_FALLBACK_MS : 0);
    function cancel() {
      done = true;
      if (frame !== undefined) globalThis.cancelAnimationFrame(frame);
      clearTimeout(timer);
    }
    return cancel;
  },
};

/**
 * Runs on the next microtask: coalesces a synchronous burst but adds no frame of latency.
 * Useful in tests and on the server.
 */
export const microtaskScheduler: BatchScheduler = {
  schedule(fn) {
    let cancelled = false;
    queueMicrotask(() => {
      if (!cancelled) fn();
    });
    return () => {
      cancelled = true;
    };
  },
};
