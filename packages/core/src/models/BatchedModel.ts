import { Subscribable } from '../internal/Subscribable.js';
import { type BatchScheduler, frameScheduler } from './frameScheduler.js';

/**
 * Shared plumbing of the models: a lazily rebuilt frozen snapshot, and notifications that are
 * coalesced through a {@link BatchScheduler} (inbound bursts) or sent at once (local actions).
 */
export abstract class BatchedModel<TSnapshot> extends Subscribable<(snapshot: TSnapshot) => void> {
  readonly #scheduler: BatchScheduler;
  #snapshot: TSnapshot | undefined;
  #cancel: (() => void) | undefined;
  /** Flushes started: tells a flush that a subscriber's change already sent a newer snapshot. */
  #flushes = 0;

  constructor(scheduler: BatchScheduler = frameScheduler) {
    super();
    this.#scheduler = scheduler;
  }

  /** Builds a new frozen snapshot from the current state. */
  protected abstract build(): TSnapshot;

  /** The current immutable snapshot (the same object until something changes). */
  getSnapshot = (): TSnapshot => (this.#snapshot ??= this.build());

  /**
   * State changed. `urgent` (a local action such as `send`) notifies at once; otherwise one
   * notification covers every change until the scheduler runs.
   */
  protected changed(urgent = false): void {
    this.#snapshot = undefined;
    if (urgent) return this.flush();
    if (this.#cancel) return;
    this.#cancel = this.#scheduler.schedule(() => {
      this.#cancel = undefined;
      this.flush();
    });
  }

  protected flush(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    if (this.listeners.size === 0) return;
    const flush = ++this.#flushes;
    const snapshot = this.getSnapshot();
    for (const listener of [...this.listeners]) {
      // A subscriber changed the model (say marked what it was shown as read): everyone got the
      // newer snapshot then, and must not get this older one after it.
      if (this.#flushes !== flush) return;
      // UI code must not break the model's bookkeeping.
      try {
        listener(snapshot);
      } catch (error) {
        console.error('[wirekit] model subscriber threw', error);
      }
    }
  }

  /** Cancels a scheduled notification and forgets every subscriber. */
  protected teardown(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.listeners.clear();
  }
}
