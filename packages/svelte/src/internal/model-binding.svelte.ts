import { untrack } from 'svelte';
import { createSubscriber } from 'svelte/reactivity';
import { WirekitError, type Connection, type ConnectionPool, type Lease } from '@wirekit/core';
import { detachedConnection } from './detached.js';
import { bindLifecycle } from './lifecycle.svelte.js';

/** What the core models have in common. */
export interface Model<TSnapshot> {
  getSnapshot(): TSnapshot;
  subscribe(listener: (snapshot: TSnapshot) => void): () => void;
  start(): void;
  dispose(): void;
}

/**
 * Reads a model's snapshot. The models batch inbound changes (one notification per frame) but
 * getSnapshot() is live at once: effects and templates read the last notified snapshot
 * instead, so one that re-runs for another reason cannot show a newer picture than the rest of
 * the page; untracked reads (event handlers) get the live one.
 */
function reader<TSnapshot>(model: Model<TSnapshot>): () => TSnapshot {
  let notified: TSnapshot | undefined;
  const track = createSubscriber((update) => {
    notified = model.getSnapshot();
    return model.subscribe((snapshot) => {
      notified = snapshot;
      update();
    });
  });
  return () => {
    track();
    return ($effect.tracking() && notified) || model.getSnapshot();
  };
}

/**
 * Binds a core model to the Svelte lifecycle: an outer effect holds a lease on the pool key,
 * an inner one builds and starts the model for the current input (so an input change swaps
 * the model, e.g. leaves one room and joins another, without touching the lease). Before mount
 * and during SSR, reads come from a never-started model over a detached connection.
 */
export class ModelBinding<TInput, TSnapshot, TModel extends Model<TSnapshot>> {
  readonly #stop: () => void;
  #read: () => TSnapshot;
  #live: TModel | undefined;
  #lease: Lease | undefined;
  #disposed = false;

  constructor(
    pool: ConnectionPool,
    key: string,
    input: () => TInput,
    create: (connection: Connection, input: TInput) => TModel,
  ) {
    this.#read = $state.raw(reader(create(detachedConnection(key), untrack(input))));
    this.#stop = bindLifecycle(() => {
      if (this.#disposed) return;
      let lease: Lease;
      try {
        lease = untrack(() => pool.acquire(key));
      } catch {
        // The pool was destroyed: keep the never-started model rather than fail the component.
        return;
      }
      this.#lease = lease;
      // Only a new value swaps the model: a getter re-run that returns the same room (SvelteKit
      // hands a new `data` object on every navigation) must not leave and re-join.
      const current = $derived(input());
      $effect(() => {
        const value = current;
        if (this.#disposed) return;
        return untrack(() => this.#mount(create(lease.connection, value)));
      });
      return lease.release; // an arrow property: safe to hand over unbound
    });
  }

  /** The current snapshot, tracked. */
  get snapshot(): TSnapshot {
    return this.#read();
  }

  /** The started model, or `undefined` before mount, during SSR and after dispose. */
  get live(): TModel | undefined {
    return this.#live;
  }

  /** The started model, or a `closed` error naming `action`. */
  require(action: string): TModel {
    if (this.#live) return this.#live;
    throw new WirekitError(
      'closed',
      `${action}: not started (not mounted, server render or disposed)`,
    );
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#unmount();
    this.#lease?.release(); // releasing twice (again on unmount) is harmless
    this.#stop();
  }

  #mount(model: TModel): () => void {
    this.#live = model;
    this.#read = reader(model);
    model.start();
    return () => this.#unmount();
  }

  #unmount(): void {
    const model = this.#live;
    if (!model) return;
    this.#live = undefined;
    model.dispose();
    // Keep showing its last picture; a disposed model never changes again.
    this.#read = model.getSnapshot; // an arrow property on the core models
  }
}
