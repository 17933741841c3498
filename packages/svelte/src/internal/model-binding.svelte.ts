import { untrack } from 'svelte';
import { createSubscriber } from 'svelte/reactivity';
import { WirekitError, type Connection, type ConnectionPool, type Lease } from '@wirekit/core';
import { closedConnection, detachedConnection } from './detached.js';
import { bindLifecycle } from './lifecycle.svelte.js';

/** What the core models have in common. */
export interface Model<TSnapshot> {
  getSnapshot(): TSnapshot;
  subscribe(listener: (snapshot: TSnapshot) => void): () => void;
  start(): void;
  dispose(): void;
}

interface Source<TSnapshot, TModel> {
  readonly model: TModel;
  /** The snapshot to show: tracked in effects and templates, live elsewhere. */
  readonly read: () => TSnapshot;
}

function source<TSnapshot, TModel extends Model<TSnapshot>>(
  model: TModel,
): Source<TSnapshot, TModel> {
  // The models batch inbound changes (one notification per frame) but getSnapshot() is live
  // at once. Effects and templates read the last notified snapshot instead, so one that re-runs
  // for another reason cannot show a newer picture than its neighbours still showing the old.
  let notified: TSnapshot | undefined;
  const track = createSubscriber((update) => {
    notified = model.getSnapshot();
    const off = model.subscribe((snapshot) => {
      notified = snapshot;
      update();
    });
    return () => {
      off();
      notified = undefined;
    };
  });
  return {
    model,
    read: () => {
      track();
      return $effect.tracking() && notified !== undefined ? notified : model.getSnapshot();
    },
  };
}

/** A source that never changes again (a disposed model keeps its last picture). */
function frozen<TSnapshot, TModel extends Model<TSnapshot>>(
  model: TModel,
): Source<TSnapshot, TModel> {
  return { model, read: () => model.getSnapshot() };
}

/**
 * Binds a core model to the Svelte lifecycle: an outer effect holds a lease on the pool key,
 * an inner one builds and starts the model for the current input (so an input change swaps
 * the model, e.g. leaves one room and joins another, without touching the lease). Before mount
 * and during SSR, reads come from a never-started model over a detached connection.
 */
export class ModelBinding<TInput, TSnapshot, TModel extends Model<TSnapshot>> {
  readonly #stop: () => void;
  #source: Source<TSnapshot, TModel>;
  #live: TModel | undefined;
  #lease: Lease | undefined;
  #disposed = false;

  constructor(
    pool: ConnectionPool,
    key: string,
    input: () => TInput,
    create: (connection: Connection, input: TInput) => TModel,
  ) {
    this.#source = $state.raw(
      source<TSnapshot, TModel>(create(detachedConnection(key), untrack(input))),
    );
    this.#stop = bindLifecycle(() => {
      if (this.#disposed) return;
      const lease = untrack(() => {
        try {
          return pool.acquire(key);
        } catch {
          // The pool was destroyed: show the model over a closed connection, never started,
          // rather than fail the component.
          return undefined;
        }
      });
      if (!lease) {
        $effect(() => {
          const value = input();
          untrack(() => {
            this.#source = source<TSnapshot, TModel>(create(closedConnection(key), value));
          });
        });
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
      return () => {
        this.#lease = undefined;
        lease.release();
      };
    });
  }

  /** The current snapshot, tracked. */
  get snapshot(): TSnapshot {
    return this.#source.read();
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
      `${action}: not started (not mounted yet, server render, or disposed)`,
    );
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#unmount();
    const lease = this.#lease;
    this.#lease = undefined;
    lease?.release();
    this.#stop();
  }

  #mount(model: TModel): () => void {
    this.#live = model;
    this.#source = source<TSnapshot, TModel>(model);
    model.start();
    return () => this.#unmount();
  }

  #unmount(): void {
    const model = this.#live;
    if (!model) return;
    this.#live = undefined;
    model.dispose();
    // Keep showing its last picture; a disposed model never changes again.
    this.#source = frozen<TSnapshot, TModel>(model);
  }
}
